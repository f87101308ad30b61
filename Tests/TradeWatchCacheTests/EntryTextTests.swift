import Foundation
import TestSupport
import Testing
import TradeWatchCache
import TradeWatchModel

/// A title is plain text: what the index holds of it is the title itself, so every word of it
/// is found and it is shown whole.
@Suite("Entry text: titles are searched and shown as published")
struct EntryTextTests {
    @Test("A title holding '<' is found by the words after it and comes back intact", arguments: CacheBackend.allCases)
    func titleWithAngleBrackets(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        let published = Date(timeIntervalSince1970: 1_561_939_200)
        let entries = [
            Entry(key: "a", title: "History of the <blink> tag", published: published, summary: "<p>Old markup</p>"),
            Entry(key: "b", title: "Exports < imports in 2019 & more", published: published),
        ]
        try fixture.apply(Pull(entries: entries, entryScope: .all), source: "news", kind: "feed")
        #expect(try fixture.cache.search("blink").map(\.entry.entry.title) == ["History of the <blink> tag"])
        #expect(try fixture.cache.search("imports").map(\.entry.entry.title) == ["Exports < imports in 2019 & more"])
        #expect(try fixture.cache.search("markup").map(\.entry.entry.key) == ["a"])
    }

    @Test(
        "Each field keeps its type: a text summary is stored and searched as its characters, an html title as its text",
        arguments: CacheBackend.allCases)
    func fieldTypes(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        let entry = Entry(
            key: "c", title: "A <b>bold</b> move", summary: "1 < 2 & rising", content: "<p>Up &amp; away</p>",
            titleType: .html, summaryType: .text)
        try fixture.apply(Pull(entries: [entry], entryScope: .all), source: "news", kind: "feed")
        let stored = try #require(try fixture.cache.entries(at: 1, sources: ["news"]).first?.entry)
        #expect(stored == entry)
        #expect(stored.summary == "1 < 2 & rising")
        #expect([stored.titleType, stored.summaryType, stored.contentType] == [.html, .text, .html])
        // The index holds text: the summary's characters (no entity names), the title's words
        // (no tag names).
        #expect(try fixture.cache.search("rising").map(\.snippet) == ["1 < 2 & [rising]\nUp & away"])
        #expect(try fixture.cache.search("amp").isEmpty)
        #expect(try fixture.cache.search("bold").map(\.entry.entry.key) == ["c"])
        #expect(try fixture.cache.search("b").isEmpty)

        // The same value read another way is an edit of that field.
        var retyped = entry
        retyped.summaryType = .html
        try fixture.apply(Pull(entries: [retyped], entryScope: .all), source: "news", kind: "feed")
        let history = try fixture.cache.entryHistory(source: "news", key: "c")
        #expect(history.count == 2)
        #expect(history.last.map { entry.changedFields(comparedTo: $0.entry) } == ["summary"])
    }
}
