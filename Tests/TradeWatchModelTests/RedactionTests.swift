import Testing
import TradeWatchModel

@Suite("Secrets never show")
struct RedactionTests {
    @Test(
        "Keys in query parameters and passwords in URLs become ***",
        arguments: [
            (
                "https://comtradeapi.un.org/data/v1/get/C/M/HS?reporterCode=156&subscription-key=abc123&period=2019",
                "https://comtradeapi.un.org/data/v1/get/C/M/HS?reporterCode=156&subscription-key=***&period=2019"
            ),
            ("http://user:hunter2@example.org/feed?API_KEY=x#top", "http://user:***@example.org/feed?API_KEY=***#top"),
            ("http://user@example.org/a?b=c", "http://user@example.org/a?b=c"),
            ("https://example.org/feed.xml", "https://example.org/feed.xml"),
            ("https://example.org/?key", "https://example.org/?key"),
        ])
    func urls(input: String, expected: String) {
        #expect(Redaction.url(input) == expected)
    }

    @Test("A secret quoted inside an error message is hidden too")
    func text() {
        #expect(
            Redaction.text("401 for key s3cr3tvalue at s3cr3tvalue", hiding: ["s3cr3tvalue"])
                == "401 for key *** at ***")
    }
}
