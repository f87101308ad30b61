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
            ("Mon, 01 Jul 2019 09:00:00 +0900", "2019-07-01T00:00:00.000Z"),
            ("Mon, 01 Jul 2019 09:00:00 +0930", "2019-06-30T23:30:00.000Z"),
            ("mon, 01 JUL 2019 09:00:00 UTC", "2019-07-01T09:00:00.000Z"),
            ("Sat, 29 Feb 2020 23:59:59 GMT", "2020-02-29T23:59:59.000Z"),
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
        arguments: [
            "", "yesterday", "31 Feb 2004", "Thu, 01 Foo 2004", "2004-13-01", "12345",
            "Tue, 31 Feb 2004 10:00:00 GMT", "Thu, 01 Jan 2004 25:48:21 GMT", "Thu, 01 Jan 2004 19:61:21 GMT",
        ])
    func rejects(text: String) {
        #expect(FeedDate.parse(text) == nil, "\(text)")
    }
}
