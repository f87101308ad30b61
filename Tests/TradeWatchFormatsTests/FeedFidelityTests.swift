import Foundation
import TestSupport
import Testing
import TradeWatchFormats
import TradeWatchModel

/// Fields kept as published: text constructs are text (RFC 4287 3.1, RSS 2.0 titles), never
/// read as markup; only an item's own sub-elements set its fields; the prolog, however long,
/// does not hide the root. Fixtures in `Tests/Fixtures/feeds`, written from the specifications.
@Suite("Feed fidelity: what was published is what is kept")
struct FeedFidelityTests {
    static func parse(_ file: String) throws -> ParsedFeed {
        try FeedFixtureTests.parse(file)
    }

    @Test("RSS titles are plain text: a '<' in a title is kept with what follows it")
    func rssTitlesAreText() throws {
        let feed = try Self.parse("text-constructs.rss.xml")
        #expect(feed.feed.title == "Trade <figures> & notes")
        #expect(
            feed.entries.map(\.title) == [
                "1 < 2", "Exports < imports in 2019 & more", "Tariffs <b>rise</b> again", "AT&amp;T and the <tag>",
            ])
        // The description is HTML and stays markup, as published.
        #expect(feed.entries.first?.summary == "<p>Exports &lt; imports</p>")
        #expect(feed.feed.description == "Monthly <b>customs</b> notes")
    }

    @Test("Atom text constructs: type=text is text; html and xhtml are kept as markup and read as text")
    func atomTextConstructs() throws {
        let feed = try Self.parse("text-constructs.atom.xml")
        #expect(feed.feed.title == "Tariffs <> quotas")
        #expect(
            feed.entries.map(\.titleText) == [
                "History of the <blink> tag", "1 < 2, by default", "Tariffs rise 3 < 4", "The xhtml <title>",
            ])
        #expect(feed.entries.map(\.titleType) == [.text, .text, .html, .html])
        // An html title is its markup as published; an xhtml one the inner XHTML, no wrapper div.
        #expect(feed.entries[2].title == "Tariffs <em>rise</em> 3 &lt; 4")
        #expect(feed.entries[3].title == "The <b>xhtml</b> &lt;title&gt;")
        // A plain-text summary or content is kept as its decoded text, typed text.
        #expect(feed.entries[0].summary == "Use <b> for bold & <i> for italics")
        #expect(feed.entries[0].summaryType == .text)
        #expect(feed.entries[0].summaryText == "Use <b> for bold & <i> for italics")
        #expect(feed.entries[1].content == "a < b")
        #expect(feed.entries[1].contentType == .text)
        // An html one is markup, as published.
        #expect(feed.entries[2].summary == "<p>Kept <b>as</b> markup</p>")
        #expect(feed.entries[2].summaryType == .html)
        #expect(feed.feed.description.map(HTMLCleaner.text) == "Where 3 < 4 & 5 > 4")
    }

    @Test("Only an item's direct children set its fields: nested image, textInput and unknown elements do not")
    func directChildren() throws {
        let feed = try Self.parse("nested-elements.rss.xml")
        #expect(feed.feed.title == "Port statistics")
        #expect(feed.feed.link == "https://ports.example.net/")
        #expect(feed.feed.description == "Weekly port calls")
        #expect(feed.feed.image == "https://ports.example.net/logo.png")
        try #require(feed.entries.count == 2)
        let first = feed.entries[0]
        #expect(first.link == "http://item/")
        #expect(first.key == "http://item/")
        #expect(first.id == nil)
        #expect(first.title == "Nampo calls up")
        #expect(first.summary == "Port calls rose.")
        #expect(first.published.map(Timestamp.format) == "2019-07-01T09:00:00.000Z")
        let second = feed.entries[1]
        #expect(second.key == "urn:rajin:2")
        #expect(second.title == "Rajin calls down")
        #expect(second.link == "urn:rajin:2")
    }

    @Test("A leading comment holding markup, a processing instruction, a long DOCTYPE and comment: still RSS")
    func prolog() throws {
        for file in ["prolog-comment-markup.xml", "prolog-long.xml"] {
            let data = try #require(FileManager.default.contents(atPath: FeedFixtureTests.folder + file))
            #expect(FormatSniffer.sniff(data) == .rss, "\(file)")
            let feed = try Self.parse(file)
            #expect(feed.format == .rss20, "\(file)")
            #expect(feed.entries.count == 1, "\(file)")
        }
        // Read as it arrives, a few bytes at a time, the stream parser waits for the root.
        let data = try #require(FileManager.default.contents(atPath: FeedFixtureTests.folder + "prolog-long.xml"))
        var titles: [String?] = []
        let parser = FeedStreamParser { titles.append($0.title) }
        var offset = 0
        while offset < data.count {
            parser.feed(data.subdata(in: offset..<min(data.count, offset + 1000)))
            offset += 1000
        }
        let feed = try parser.finish()
        #expect(feed.feed.title == "Long prolog")
        #expect(titles == ["after the prolog"])
    }

    @Test("RSS with UserLand's namespace as the default namespace is read")
    func namespacedRSS() throws {
        let feed = try Self.parse("namespaced-rss.xml")
        #expect(feed.format == .rss091)
        #expect(feed.feed.title == "Customs bulletin")
        #expect(feed.feed.language == "en")
        #expect(feed.entries.map(\.title) == ["Tariff schedule amended"])
        #expect(feed.entries.first?.link == "https://customs.example.net/notice/7")
        #expect(feed.entries.first?.summary == "Chapter 27 rates change.")
    }

    @Test("An author written 'email (Name)' or 'Name (email)' is split into name and e-mail")
    func authors() throws {
        let feed = try Self.parse("authors.rss.xml")
        #expect(
            feed.entries.map(\.authors) == [
                [Entry.Author(name: "Lee Min", email: "lee@desk.example.net")],
                [Entry.Author(name: "Park Ji", email: "park@desk.example.net")],
                [Entry.Author(name: "Kim Su", email: "kim@desk.example.net")],
                [Entry.Author(name: "Trade Desk")],
            ])
    }

    @Test("An Atom category keeps its term, and its label beside it")
    func categories() throws {
        let entry = try #require(try Self.parse("atom-categories.xml").entries.first)
        #expect(entry.categories == ["hs-2709", "trade", "sanctions"])
        #expect(entry.categoryLabels == ["hs-2709": "Crude petroleum (HS 2709)"])
    }
}
