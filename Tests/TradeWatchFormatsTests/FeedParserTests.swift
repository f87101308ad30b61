import Foundation
import Testing
import TradeWatchFormats
import TradeWatchModel

@Suite("Feeds as publishers write them")
struct FeedParserTests {
    func parse(_ text: String, url: String? = "https://example.org/feeds/main.xml") throws -> ParsedFeed {
        try FeedParser.parse(Data(text.utf8), url: url)
    }

    @Test("RSS 2.0: channel, items, dates, authors, categories, enclosures, relative links")
    func rss2() throws {
        let feed = try parse(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
            <channel>
              <title>China Power</title><link>https://example.org/</link><description>Trade news</description>
              <language>en-us</language><ttl>30</ttl><lastBuildDate>Mon, 01 Jul 2019 09:00:00 KST</lastBuildDate>
              <image><url>/logo.png</url></image>
              <item>
                <title>Wig exports to China rise</title><link>/2019/07/wigs</link>
                <guid isPermaLink="false">urn:story:1</guid>
                <pubDate>Mon, 01 Jul 2019 08:00:00 +0900</pubDate>
                <author>desk@example.org (Trade Desk)</author><dc:creator>Kim</dc:creator>
                <category>trade</category><category>DPRK</category>
                <description>&lt;p&gt;HS 6704 up 40%&lt;/p&gt;</description>
                <enclosure url="/audio/1.mp3" length="1234" type="audio/mpeg"/>
              </item>
            </channel></rss>
            """)
        #expect(feed.format == .rss20)
        #expect(feed.wellFormed)
        #expect(feed.feed.title == "China Power")
        #expect(feed.feed.ttl == 30)
        #expect(feed.feed.image == "https://example.org/logo.png")
        #expect(feed.feed.updated.map(Timestamp.format) == "2019-07-01T00:00:00.000Z")
        let entry = try #require(feed.entries.first)
        #expect(entry.key == "urn:story:1")
        #expect(entry.link == "https://example.org/2019/07/wigs")
        #expect(entry.published.map(Timestamp.format) == "2019-06-30T23:00:00.000Z")
        #expect(
            entry.authors == [Entry.Author(name: "Trade Desk", email: "desk@example.org"), Entry.Author(name: "Kim")])
        #expect(entry.categories == ["trade", "DPRK"])
        #expect(entry.summary == "<p>HS 6704 up 40%</p>")
        #expect(entry.enclosures.first?.href == "https://example.org/audio/1.mp3")
        #expect(entry.enclosures.first?.length == 1234)
    }

    @Test("A permalink guid is the link only when the item has none; relative links resolve, absolute ones stay")
    func permalinkGuid() throws {
        let feed = try parse(
            """
            <rss version="2.0"><channel><title>t</title>
              <item><guid>/2019/07/only-guid</guid><title>a</title></item>
              <item><guid>/2019/07/guid-first</guid><link>https://example.org/2019/07/the-link</link></item>
              <item><link>https://example.org/news/../2019/./dots</link><guid>https://other.example/g</guid></item>
              <item><link>https://example.org/a?b=1&amp;c=2#top</link></item>
            </channel></rss>
            """)
        #expect(
            feed.entries.map(\.link) == [
                "https://example.org/2019/07/only-guid", "https://example.org/2019/07/the-link",
                "https://example.org/news/../2019/./dots", "https://example.org/a?b=1&c=2#top",
            ])
    }

    @Test("Atom 1.0: xhtml content kept as markup, xml:base resolution, published falling back to updated")
    func atom() throws {
        let feed = try parse(
            """
            <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ko" xml:base="https://news.example.kr/">
              <title>조선 무역</title><updated>2019-07-01T00:00:00Z</updated>
              <link rel="alternate" href="/index.html"/><link rel="self" href="/atom.xml"/>
              <entry xml:base="/2019/">
                <id>tag:news.example.kr,2019:1</id><title type="html">Tariffs &lt;b&gt;rise&lt;/b&gt;</title>
                <link href="story.html"/><updated>2019-07-02T10:00:00+09:00</updated>
                <author><name>Lee</name><email>lee@example.kr</email></author>
                <category term="trade" label="Trade"/>
                <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Up <b>5%</b> &amp; more</p></div></content>
              </entry>
            </feed>
            """)
        #expect(feed.format == .atom10)
        #expect(feed.feed.language == "ko")
        #expect(feed.feed.link == "https://news.example.kr/index.html")
        let entry = try #require(feed.entries.first)
        #expect(entry.link == "https://news.example.kr/2019/story.html")
        #expect(entry.titleText == "Tariffs rise")
        #expect(entry.published == entry.updated)
        #expect(entry.published.map(Timestamp.format) == "2019-07-02T01:00:00.000Z")
        #expect(entry.authors == [Entry.Author(name: "Lee", email: "lee@example.kr")])
        #expect(entry.categories == ["trade"])
        #expect(entry.categoryLabels == ["trade": "Trade"])
        #expect(
            entry.content == "<p>Up <b>5%</b> &amp; more</p>",
            "the xhtml wrapper div is not content (RFC 4287, 3.1.1.3)")
    }

    @Test("RSS 1.0 (RDF) items outside the channel")
    func rdf() throws {
        let feed = try parse(
            """
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
                xmlns:dc="http://purl.org/dc/elements/1.1/">
              <channel rdf:about="https://example.org/"><title>RDF news</title><link>https://example.org/</link></channel>
              <item rdf:about="https://example.org/1"><title>One</title><link>https://example.org/1</link>
                <dc:date>2019-07-01T12:00:00Z</dc:date></item>
            </rdf:RDF>
            """)
        #expect(feed.format == .rss10)
        #expect(feed.feed.title == "RDF news")
        #expect(feed.entries.map(\.key) == ["https://example.org/1"])
        #expect(feed.entries.first?.published.map(Timestamp.format) == "2019-07-01T12:00:00.000Z")
    }

    @Test("Identity: id, else link, else a hash of title and date; repeated ids are kept apart with a warning")
    func identity() throws {
        let feed = try parse(
            """
            <rss version="2.0"><channel><title>t</title>
              <item><guid>same</guid><title>First</title></item>
              <item><guid>same</guid><title>Second</title></item>
              <item><link>https://example.org/a</link></item>
              <item><title>No id</title><pubDate>Mon, 01 Jul 2019 00:00:00 GMT</pubDate></item>
              <item><title>Bad date</title><pubDate>sometime soon</pubDate></item>
            </channel></rss>
            """)
        #expect(feed.entries.map(\.key).prefix(3) == ["same", "same#2", "https://example.org/a"])
        #expect(feed.entries[3].key.hasPrefix("sha256:"))
        #expect(feed.entries[3].key != feed.entries[4].key)
        #expect(feed.entries[4].published == nil)
        #expect(feed.warnings.contains { $0.contains("repeats") })
        #expect(feed.warnings.contains { $0.contains("sometime soon") })
    }

    @Test("JSON Feed 1.1")
    func jsonFeed() throws {
        let feed = try parse(
            """
            {"version": "https://jsonfeed.org/version/1.1", "title": "JF", "home_page_url": "https://example.org/",
             "language": "zh", "authors": [{"name": "Desk"}],
             "items": [{"id": "1", "url": "/p/1", "title": "Coal", "content_html": "<p>HS 27</p>",
                        "date_published": "2019-07-01T00:00:00Z", "tags": ["coal"],
                        "attachments": [{"url": "/a.pdf", "mime_type": "application/pdf", "size_in_bytes": 10}]}]}
            """, url: "https://example.org/feed.json")
        #expect(feed.format == .jsonFeed11)
        let entry = try #require(feed.entries.first)
        #expect(entry.key == "1")
        #expect(entry.link == "https://example.org/p/1")
        #expect(entry.authors == [Entry.Author(name: "Desk")])
        #expect(entry.enclosures.first?.length == 10)
        #expect(feed.feed.language == "zh")
    }

    @Test("Malformed feeds are recovered and say so")
    func malformed() throws {
        let feed = try parse("<rss version=\"2.0\"><channel><title>A & B</title><item><title>x&nbsp;y</title></item>")
        #expect(!feed.wellFormed)
        #expect(!feed.warnings.isEmpty)
        #expect(feed.entries.first?.title == "x\u{a0}y")
    }

    @Test(
        "An HTML page or plain text is not a feed", arguments: ["<!DOCTYPE html><html><body>hi</body></html>", "hello"])
    func notAFeed(text: String) {
        #expect(throws: FeedError.self) { try parse(text) }
    }
}
