import Foundation
import Testing
import TradeWatchFormats
import TradeWatchModel

@Suite("Feed dates")
struct FeedDateTests {
    @Test(
        "Every form real feeds use reads as the right instant",
        arguments: [
            ("Thu, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21.000Z"),
            ("Thu, 1 Jan 2004 19:48:21 +0000", "2004-01-01T19:48:21.000Z"),
            ("01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21.000Z"),
            ("Thu, 01 Jan 04 19:48:21 GMT", "2004-01-01T19:48:21.000Z"),
            ("Thu, 01 Jan 2004 19:48 GMT", "2004-01-01T19:48:00.000Z"),
            ("Thu, 01 Jan 2004 19:48:21 KST", "2004-01-01T10:48:21.000Z"),
            ("Thu, 01 Jan 2004 19:48:21 CST", "2004-01-02T01:48:21.000Z"),
            ("Thu, 01 Jan 2004 19:48:21 EST", "2004-01-02T00:48:21.000Z"),
            ("Thu, 01 Jan 2004 19:48:21 PST", "2004-01-02T03:48:21.000Z"),
            ("Thu, 01 Jan 2004 19:48:21 -0500", "2004-01-02T00:48:21.000Z"),
            ("Thu, 01 Jan 2004 19:48:21 +09:00", "2004-01-01T10:48:21.000Z"),
            ("Thursday, 01 January 2004 19:48:21 GMT", "2004-01-01T19:48:21.000Z"),
            ("Thu, 01 Jan 2004 19:48:21 +0000 (UTC)", "2004-01-01T19:48:21.000Z"),
            ("2004-01-01T19:48:21Z", "2004-01-01T19:48:21.000Z"),
            ("2004-01-01T19:48:21.25+09:00", "2004-01-01T10:48:21.250Z"),
            ("2004-01-01T19:48:21+0900", "2004-01-01T10:48:21.000Z"),
            ("2004-01-01 19:48:21", "2004-01-01T19:48:21.000Z"),
            ("2004-01-01", "2004-01-01T00:00:00.000Z"),
            ("2004-01", "2004-01-01T00:00:00.000Z"),
            ("20040101T194821Z", "2004-01-01T19:48:21.000Z"),
            ("1073000901", "2004-01-01T23:48:21.000Z"),
            ("1073000901000", "2004-01-01T23:48:21.000Z"),
        ])
    func parses(text: String, expected: String) {
        #expect(FeedDate.parse(text).map(Timestamp.format) == expected, "\(text)")
    }

    @Test(
        "What cannot be read is absent, never now",
        arguments: ["", "yesterday", "31 Feb 2004", "Thu, 01 Foo 2004", "2004-13-01", "12345"])
    func rejects(text: String) {
        #expect(FeedDate.parse(text) == nil, "\(text)")
    }
}
