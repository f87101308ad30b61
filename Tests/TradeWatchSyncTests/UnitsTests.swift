import Testing
import TradeWatchSync

@Suite("Durations and sizes in the configuration")
struct UnitsTests {
    @Test(
        "Durations read as people write them",
        arguments: [
            ("30m", Duration.seconds(1800)), ("90s", .seconds(90)), ("6h", .seconds(21_600)), ("1d", .seconds(86_400)),
            ("1h30m", .seconds(5400)), ("250ms", .milliseconds(250)), ("45", .seconds(45)), ("2w", .seconds(1_209_600)),
        ])
    func durations(text: String, expected: Duration) {
        #expect(DurationText.parse(text) == expected)
    }

    @Test("Malformed durations are refused", arguments: ["", "m", "30x", "-5m", "1.5h", "30 m", "h30"])
    func badDurations(text: String) {
        #expect(DurationText.parse(text) == nil, "\(text)")
    }

    @Test("Durations print back in their shortest form")
    func formatting() {
        #expect(DurationText.format(.seconds(5400)) == "1h30m")
        #expect(DurationText.format(.seconds(86_461)) == "1d1m1s")
        #expect(DurationText.format(.zero) == "0s")
    }

    @Test(
        "Sizes read in decimal and binary units",
        arguments: [
            ("64MiB", Int64(67_108_864)), ("500MB", 500_000_000), ("1GiB", 1_073_741_824), ("4096", 4096),
            ("10KiB", 10_240),
        ])
    func sizes(text: String, expected: Int64) {
        #expect(ByteSizeText.parse(text) == expected)
    }

    @Test("Malformed sizes are refused", arguments: ["", "MiB", "64 mib", "1.5GiB", "-1", "99999999999999GiB"])
    func badSizes(text: String) {
        #expect(ByteSizeText.parse(text) == nil)
    }
}
