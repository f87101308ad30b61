import Foundation
import Testing
import TradeWatchModel

@Suite("Periods as publishers write them")
struct PeriodTests {
    @Test(
        "Each published form gets the days it covers",
        arguments: [
            ("2019", "2019-01-01", "2019-12-31", Period.Frequency.annual),
            ("2019-A1", "2019-01-01", "2019-12-31", .annual),
            ("2019-S2", "2019-07-01", "2019-12-31", .semiannual),
            ("2019-Q2", "2019-04-01", "2019-06-30", .quarterly),
            ("2019Q4", "2019-10-01", "2019-12-31", .quarterly),
            ("2019-06", "2019-06-01", "2019-06-30", .monthly),
            ("2020-02", "2020-02-01", "2020-02-29", .monthly),
            ("2019-M02", "2019-02-01", "2019-02-28", .monthly),
            ("201906", "2019-06-01", "2019-06-30", .monthly),
            ("2019-W23", "2019-06-03", "2019-06-09", .weekly),
            ("2020-W01", "2019-12-30", "2020-01-05", .weekly),
            ("2019-06-30", "2019-06-30", "2019-06-30", .daily),
            ("2019-06-30T00:00:00", "2019-06-30", "2019-06-30", .daily),
        ])
    func recognised(text: String, start: String, end: String, frequency: Period.Frequency) {
        let period = Period(text)
        #expect(period.text == text)
        #expect(period.start?.description == start)
        #expect(period.end?.description == end)
        #expect(period.frequency == frequency)
    }

    @Test(
        "Malformed periods keep no dates",
        arguments: ["", "19", "2019-13", "2019-Q5", "2019-W54", "2019-02-30", "June"])
    func unrecognised(text: String) {
        #expect(!Period(text).isRecognised)
    }

    @Test("Periods sort by the days they cover, not by their text")
    func ordering() {
        let sorted = ["2019-Q2", "2019", "201903", "2018-12"].map(Period.init).sorted().map(\.text)
        #expect(sorted == ["2018-12", "2019", "201903", "2019-Q2"])
    }

    @Test("Calendar days round-trip through days since the epoch")
    func calendarRoundTrip() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(CalendarDate(daysSinceEpoch: days).daysSinceEpoch == days)
        }
        #expect(CalendarDate("1970-01-01")?.daysSinceEpoch == 0)
        #expect(CalendarDate("2000-03-01")?.daysSinceEpoch == 11_017)
    }
}

@Suite("Timestamps as the cache stores them")
struct TimestampTests {
    @Test("format and parse round-trip to the millisecond, before and after 1970")
    func roundTrip() {
        for seconds in [0.0, 1_561_939_200.123, -86_400.5, 4_102_444_799.999, 951_782_400] {
            let date = Date(timeIntervalSince1970: seconds)
            let text = Timestamp.format(date)
            #expect(text.count == 24)
            let back = Timestamp.parse(text)
            #expect(back.map { abs($0.timeIntervalSince1970 - seconds) < 0.001 } == true, "\(text)")
        }
        #expect(Timestamp.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
    }

    @Test("Other RFC 3339 forms still read; nonsense does not")
    func otherForms() {
        #expect(Timestamp.parse("2019-07-01T09:00:00+09:00") == Date(timeIntervalSince1970: 1_561_939_200))
        #expect(Timestamp.parse("2019-07-01T00:00:00Z") == Date(timeIntervalSince1970: 1_561_939_200))
        #expect(Timestamp.parse("2019-02-30T00:00:00.000Z") == nil)
        #expect(Timestamp.parse("yesterday") == nil)
    }
}
