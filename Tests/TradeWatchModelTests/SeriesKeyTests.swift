import Testing
import TradeWatchModel

@Suite("Series keys")
struct SeriesKeyTests {
    @Test("The canonical form lists dimensions in published order")
    func canonical() {
        let key = SeriesKey(["FREQ": "M", "REPORTER": "156", "PARTNER": "408", "FLOW": "M", "CMD": "6704"])
        #expect(key.canonical == "FREQ=M.REPORTER=156.PARTNER=408.FLOW=M.CMD=6704")
        #expect(key["PARTNER"] == "408")
        #expect(key["MISSING"] == nil)
    }

    @Test("Dots, equals and percent signs inside values survive a round trip")
    func escaping() throws {
        let key = SeriesKey(["UNIT": "USD.MN", "NOTE": "a=b", "PCT": "5%"])
        #expect(key.canonical == "UNIT=USD%2EMN.NOTE=a%3Db.PCT=5%25")
        let back = try #require(SeriesKey(canonical: key.canonical))
        #expect(back.dimensions == key.dimensions)
    }

    @Test("A text without id=value pairs is not a key")
    func invalid() {
        #expect(SeriesKey(canonical: "FREQ=M.156") == nil)
        #expect(SeriesKey(canonical: "=M") == nil)
    }

    @Test("Missing and NaN values are no number, never zero")
    func missingValues() {
        let series = SeriesKey(["FREQ": "A"])
        #expect(Observation(dataset: "D", series: series, period: Period("2019"), value: nil).number == nil)
        #expect(Observation(dataset: "D", series: series, period: Period("2019"), value: "NaN").number == nil)
        #expect(Observation(dataset: "D", series: series, period: Period("2019"), value: "1234.5").number == 1234.5)
    }
}
