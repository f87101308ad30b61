import Foundation
import TestSupport
import Testing
import TradeWatchFormats
import TradeWatchModel

/// One fixture file per format and quirk (`Tests/Fixtures/feeds`), each with what a reader of
/// that feed expects to see.
@Suite("Feed fixtures: every format and quirk from a file")
struct FeedFixtureTests {
    static let folder = repositoryRoot + "/Tests/Fixtures/feeds/"

    static func parse(_ file: String, contentType: String? = nil) throws -> ParsedFeed {
        let data = try #require(FileManager.default.contents(atPath: folder + file), "missing fixture \(file)")
        return try FeedParser.parse(data, contentType: contentType, url: "https://feeds.example.net/" + file)
    }

    static func iso(_ date: Date?) -> String? { date.map(Timestamp.format) }

    @Test(
        "Each format is recognised from the content and read",
        arguments: [
            ("rss090.xml", ParsedFeed.Format.rss090, "Coal shipments resume", 2),
            ("rss091.xml", .rss091, "Customs data for June", 1),
            ("rss092.xml", .rss092, "Podcast: the wig trade", 1),
            ("rss10-rdf.xml", .rss10, "Dandong bridge traffic", 1),
            ("rss20-full.xml", .rss20, "Wig exports & the sanctions", 1),
            ("atom03.xml", .atom03, "Paintings trade (HS 9701)", 1),
            ("atom10-xmlbase.xml", .atom10, "Sand & gravel shipments", 1),
            ("jsonfeed10.json", .jsonFeed10, "Rare earths", 1),
            ("jsonfeed11.json", .jsonFeed11, "Seafood (HS 0307)", 2),
        ])
    func formats(file: String, format: ParsedFeed.Format, firstTitle: String, count: Int) throws {
        // A wrong Content-Type does not matter: the content decides.
        let feed = try Self.parse(file, contentType: "text/plain")
        #expect(feed.format == format, "\(file)")
        #expect(feed.entries.count == count, "\(file)")
        #expect(feed.entries.first?.titleText == firstTitle, "\(file)")
        #expect(feed.wellFormed, "\(file): \(feed.warnings)")
    }

    @Test("RSS 2.0 with every field: dates in KST, authors, categories, content:encoded beside the description")
    func rss20() throws {
        let feed = try Self.parse("rss20-full.xml")
        #expect(feed.feed.title == "China Power")
        #expect(feed.feed.language == "en")
        #expect(feed.feed.ttl == 60)
        #expect(Self.iso(feed.feed.updated) == "2019-07-02T01:00:00.000Z")
        let entry = try #require(feed.entries.first)
        #expect(entry.id == "story-6704")
        #expect(entry.key == "story-6704")
        #expect(entry.link == "https://example.org/2019/07/wigs")
        #expect(Self.iso(entry.published) == "2019-07-01T23:30:00.000Z")
        #expect(entry.authors.map(\.name) == ["Trade Desk", "Kim Min-jun"])
        #expect(entry.authors.first?.email == "desk@example.org")
        #expect(entry.categories == ["trade", "HS 6704"])
        #expect(entry.summary == "<p>Exports of wigs rose.</p>")
        #expect(entry.content == "<p>Exports of <b>wigs</b> (HS 6704) rose 40% in June.</p>")
    }

    @Test("RSS 0.91 image and language; 0.92 enclosure with its length and type; 1.0 Dublin Core")
    func olderRSS() throws {
        let v091 = try Self.parse("rss091.xml")
        #expect(v091.feed.image == "http://example.org/logo.gif")
        #expect(v091.feed.language == "en-us")
        #expect(v091.entries.first?.summary == "Monthly figures.")
        let v092 = try #require(try Self.parse("rss092.xml").entries.first)
        #expect(v092.enclosures.map(\.href) == ["http://example.org/audio/wigs.mp3"])
        #expect(v092.enclosures.first?.length == 123_456)
        #expect(v092.enclosures.first?.type == "audio/mpeg")
        #expect(v092.categories == ["trade"])
        let rdf = try Self.parse("rss10-rdf.xml")
        #expect(rdf.feed.language == "ko")
        let item = try #require(rdf.entries.first)
        #expect(Self.iso(item.published) == "2019-07-01T00:00:00.000Z")
        #expect(item.authors.map(\.name) == ["Lee"])
        #expect(item.categories == ["border"])
    }

    @Test("Atom 0.3 issued/modified and escaped content; Atom 1.0 xml:base, enclosure links, xhtml content")
    func atom() throws {
        let old = try #require(try Self.parse("atom03.xml").entries.first)
        #expect(old.id == "tag:example.org,2019:paintings")
        #expect(old.link == "http://example.org/0.3/paintings")
        #expect(Self.iso(old.published) == "2019-07-01T00:00:00.000Z")
        #expect(Self.iso(old.updated) == "2019-07-01T10:00:00.000Z")
        #expect(old.authors.first?.email == "park@example.org")
        #expect(old.content == "<p>Paintings exported.</p>")

        let feed = try Self.parse("atom10-xmlbase.xml")
        #expect(feed.feed.link == "https://news.example.kr/nk/")
        #expect(feed.feed.language == "ko")
        let entry = try #require(feed.entries.first)
        #expect(entry.link == "https://news.example.kr/2019/07/sand.html")
        #expect(entry.enclosures.map(\.href) == ["https://news.example.kr/media/sand.jpg"])
        #expect(Self.iso(entry.published) == "2019-07-01T23:00:00.000Z", "published falls back to updated")
        #expect(entry.categories == ["minerals"])
        let content = try #require(entry.content)
        #expect(content.contains("<em>exports</em>"))
        #expect(content.contains("Sand"))
    }

    @Test("JSON Feed 1.0 author and external URL; 1.1 authors, attachments, language, an item without a URL")
    func jsonFeed() throws {
        let v10 = try Self.parse("jsonfeed10.json")
        #expect(v10.feed.link == "https://example.org/")
        let first = try #require(v10.entries.first)
        #expect(first.link == "https://example.org/json/1")
        #expect(first.links.map(\.href).contains("https://other.example/1"))
        #expect(first.authors.map(\.name) == ["Desk"])
        #expect(first.categories == ["minerals", "export"])
        #expect(Self.iso(first.published) == "2019-07-01T00:00:00.000Z")
        let v11 = try Self.parse("jsonfeed11.json")
        #expect(v11.feed.language == "en")
        let item = try #require(v11.entries.first)
        #expect(item.summary == "Molluscs")
        #expect(item.authors.map(\.name) == ["Choi"])
        #expect(item.enclosures.map(\.href) == ["https://example.org/a.pdf"])
        #expect(Self.iso(item.updated) == "2019-07-02T00:00:00.000Z")
        #expect(v11.entries.last?.key == "b")
        #expect(v11.entries.last?.link == nil)
    }

    @Test("An HTML page is not a feed, whatever its Content-Type claims")
    func notAFeed() throws {
        #expect {
            _ = try Self.parse("not-a-feed.html", contentType: "application/rss+xml")
        } throws: { error in
            (error as? FeedError)?.code == .notAFeed
        }
    }

    @Test("Ill-formed feeds are recovered: bare ampersands, HTML entities, a truncated document")
    func illformed() throws {
        let amp = try Self.parse("illformed-bare-ampersand.xml")
        #expect(!amp.wellFormed)
        #expect(!amp.warnings.isEmpty)
        #expect(amp.feed.title?.hasPrefix("Fish") == true)
        let item = try #require(amp.entries.first)
        #expect(item.summary?.contains("Price\u{A0}rise \u{2014} again") == true, "\(item.summary ?? "nil")")
        let cut = try Self.parse("illformed-truncated.xml")
        #expect(!cut.wellFormed)
        #expect(cut.entries.first?.title == "First item")
        #expect(cut.entries.first?.link == "http://example.org/1")
        #expect(cut.entries.count == 1, "the item cut off mid-way is left out, not stored half-read")
        #expect(cut.warnings.contains { $0.contains("Second item") && $0.contains("left out") }, "\(cut.warnings)")
    }

    @Test("Entities declared in the document are never expanded: no billion laughs, no external file")
    func entities() throws {
        // Expanded, the title would be a billion "lol"s; its length says it was not.
        let laughs = try Self.parse("billion-laughs.xml")
        #expect((laughs.entries.first?.title ?? "").utf8.count < 100)
        let xxe = try Self.parse("xxe.xml")
        let title = xxe.entries.first?.title ?? ""
        #expect(!title.contains("root:"))
        #expect(title.hasPrefix("Leak:"))
    }

    @Test(
        "Encodings from the BOM or the XML declaration: UTF-16, Latin-1, windows-1252, GB18030, GBK, EUC-KR, Shift_JIS",
        arguments: [
            ("utf16le-bom.xml", "중국 무역", "가발 수출 증가"),
            ("iso-8859-1.xml", "Café trade", "Précis: exports à la hausse"),
            ("windows-1252.xml", "Quotes", "\u{201C}Wigs\u{201D} \u{2013} a \u{20AC}10m trade"),
            ("gb18030.xml", "中朝贸易", "假发出口增长"),
            ("gbk.xml", "海关统计", "丹东口岸"),
            ("euc-kr.xml", "북한 무역", "석탄 수출"),
            ("shift_jis.xml", "貿易ニュース", "かつらの輸出"),
        ])
    func encodings(file: String, title: String, item: String) throws {
        let feed = try Self.parse(file)
        #expect(feed.feed.title == title, "\(file)")
        #expect(feed.entries.first?.title == item, "\(file)")
        #expect(feed.wellFormed, "\(file): \(feed.warnings)")
    }

    @Test("The same bytes read through an HTTP charset that contradicts the declaration")
    func httpCharset() throws {
        // EUC-KR bytes served as "charset=EUC-KR" read the same; served as ISO-8859-1 they do not.
        let right = try Self.parse("euc-kr.xml", contentType: "application/rss+xml; charset=EUC-KR")
        #expect(right.entries.first?.title == "석탄 수출")
        let wrong = try Self.parse("euc-kr.xml", contentType: "application/rss+xml; charset=ISO-8859-1")
        #expect(wrong.entries.first?.title != "석탄 수출")
    }

    @Test("Identity: id, else link, else a hash of title and date; a repeated id is kept apart with a warning")
    func identity() throws {
        let feed = try Self.parse("repeated-ids.xml")
        let keys = feed.entries.map(\.key)
        #expect(keys.count == 4)
        #expect(Set(keys).count == 4, "no entry lost: \(keys)")
        #expect(keys[0] == "same")
        #expect(keys[1] != "same" && keys[1].hasPrefix("same"))
        #expect(keys[2] == "http://example.org/only-link")
        #expect(!keys[3].isEmpty)
        #expect(feed.warnings.contains { $0.contains("same") })
        // The same document read again gives the same keys (they are not random).
        #expect(try Self.parse("repeated-ids.xml").entries.map(\.key) == keys)
    }

    @Test("Dates: RFC 822 without seconds and with a two-digit year, ISO 8601, Unix time, RFC 850; junk is absent")
    func dates() throws {
        let byID = Dictionary(
            uniqueKeysWithValues: try Self.parse("dates.xml").entries.map { ($0.key, Self.iso($0.published)) })
        #expect(byID["d1"] == "2019-07-01T00:00:00.000Z")
        #expect(byID["d2"] == "2019-07-01T00:00:00.000Z")
        #expect(byID["d3"] == "2019-07-01T00:00:00.000Z")
        #expect(byID["d4"] == "2019-07-01T00:00:00.000Z")
        #expect(byID["d5"] == .some(nil), "unparseable is absent, never now")
    }

    @Test("HTML content is stored as published; its sanitized and plain forms drop scripts, handlers and javascript:")
    func html() throws {
        let entry = try #require(try Self.parse("html-content.xml").entries.first)
        #expect(entry.title == "Chart <b>inside</b>", "an RSS title is plain text, kept as published")
        let summary = try #require(entry.summary)
        #expect(summary.contains("<script>"), "stored as published")
        let cleaned = HTMLCleaner.clean(summary, base: "https://example.org/news/")
        let clean = cleaned.sanitized
        #expect(!clean.contains("script") && !clean.contains("onclick") && !clean.contains("javascript:"))
        #expect(!clean.contains("<style"))
        #expect(clean.contains("https://example.org/charts/6704.png"))
        let text = cleaned.text
        #expect(text.contains("Figures") && text.contains("here") && !text.contains("alert"))
    }
}
