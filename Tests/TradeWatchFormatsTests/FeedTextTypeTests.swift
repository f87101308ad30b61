import Foundation
import Testing
import TradeWatchFormats
import TradeWatchModel

/// Every text field kept as published, with its type: plain text as its decoded text, markup
/// as markup (RFC 4287 3.1; RSS 2.0; JSON Feed 1.1). Fixtures in `Tests/Fixtures/feeds`.
@Suite("Feed text types: each field as published, with how it reads")
struct FeedTextTypeTests {
    @Test("Atom: a text summary or content is its decoded text; an html or xhtml title is its markup")
    func atom() throws {
        let entries = try FeedFixtureTests.parse("text-types.atom.xml").entries
        try #require(entries.count == 3)
        // type="text": the characters themselves, never escaped into HTML.
        #expect(entries[0].summary == "1 < 2 & rising")
        #expect(entries[0].summaryType == .text)
        #expect(entries[1].content == "Quotas <em>cut</em>\n  by half & more")
        #expect(entries[1].contentType == .text)
        #expect(entries[1].contentText == "Quotas <em>cut</em>\n  by half & more")
        // type="html": the markup as published, read as text for display.
        #expect(entries[0].title == "A <b>bold</b> move")
        #expect(entries[0].titleType == .html)
        #expect(entries[0].titleText == "A bold move")
        // type="xhtml": the div's contents, without the div.
        #expect(entries[1].title == "A <b>bold</b> move")
        #expect(entries[1].titleType == .html)
        #expect(entries[1].titleText == "A bold move")
        // RFC 4287 3.1.1.2's own example: an escaped entity in html is a character of the text.
        #expect(entries[2].title == "Less: <em> &lt; </em>")
        #expect(entries[2].titleText == "Less: <")
        #expect(entries[2].summary == "<p>Kept <b>as</b> markup</p>")
        #expect(entries[2].summaryType == .html)
    }

    @Test("RSS: dc:description and itunes:summary are text; description is HTML; titles are text")
    func rss() throws {
        let entries = try FeedFixtureTests.parse("text-types.rss.xml").entries
        try #require(entries.count == 3)
        #expect(
            entries.map(\.summary) == ["Cargo < 5 t & rising", "Episode 3: <tariffs> & you", "<p>Up &amp; away</p>"])
        #expect(entries.map(\.summaryType) == [.text, .text, .html])
        #expect(entries.map(\.summaryText) == ["Cargo < 5 t & rising", "Episode 3: <tariffs> & you", "Up & away"])
        #expect(entries.map(\.titleType) == [.text, .text, .text])
    }

    @Test("JSON Feed: summary and content_text are text, content_html is HTML, each as published")
    func jsonFeed() throws {
        let entries = try FeedFixtureTests.parse("text-types.json").entries
        try #require(entries.count == 2)
        #expect(entries[0].title == "Imports <b> exports")
        #expect(entries[0].titleType == .text)
        #expect(entries[0].summary == "Imports < exports & rising")
        #expect(entries[0].summaryType == .text)
        #expect(entries[0].content == "Line one < two\n& three")
        #expect(entries[0].contentType == .text)
        #expect(entries[1].content == "<p>Up &amp; away</p>")
        #expect(entries[1].contentType == .html)
        #expect(entries[1].contentText == "Up & away")
    }
}
