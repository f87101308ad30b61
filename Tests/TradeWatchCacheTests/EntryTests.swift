import Foundation
import TestSupport
import Testing
import TradeWatchCache
import TradeWatchModel

@Suite("Entries: edits, removals and full-text search")
struct EntryTests {
    static let day: TimeInterval = 86_400
    static let base = Date(timeIntervalSince1970: 1_561_939_200)

    static func article(_ key: String, _ title: String, summary: String, daysAgo: Double) -> Entry {
        Entry(
            key: key, id: key, title: title, link: "https://example.org/\(key)",
            published: base.addingTimeInterval(-daysAgo * day), authors: [Entry.Author(name: "Reporter")],
            summary: summary, categories: ["trade"])
    }

    func feed(_ entries: [Entry]) -> Pull {
        let oldest = entries.compactMap(\.published).min() ?? Self.base
        return Pull(entries: entries, entryScope: .publishedSince(oldest))
    }

    @Test("An edited article is a new version with the changed fields named", arguments: CacheBackend.allCases)
    func edit(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        let first = try #require(
            try fixture.apply(
                feed([Self.article("a", "Wig exports rise", summary: "<p>Up <b>40%</b></p>", daysAgo: 1)]),
                source: "news", kind: "feed"
            ).revision)
        let second = try #require(
            try fixture.apply(
                feed([Self.article("a", "Wig exports surge", summary: "<p>Up <b>40%</b></p>", daysAgo: 1)]),
                source: "news", kind: "feed"
            ).revision)
        #expect(second.changed == 1)
        let diff = try fixture.cache.diff(from: first.id, to: second.id)
        #expect(diff.entries.map(\.changedFields) == [["title"]])
        let history = try fixture.cache.entryHistory(key: "a")
        #expect(history.map(\.entry.title) == ["Wig exports rise", "Wig exports surge"])
        #expect(history.first?.entry.authors == [Entry.Author(name: "Reporter")])
        #expect(history.first?.entry.categories == ["trade"])
    }

    @Test(
        "An article that rolls off the bottom of a feed is kept; one missing from inside the window is removed",
        arguments: CacheBackend.allCases)
    func windowedRemoval(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        let a = Self.article("a", "Old", summary: "", daysAgo: 10)
        let b = Self.article("b", "Middle", summary: "", daysAgo: 5)
        let c = Self.article("c", "New", summary: "", daysAgo: 1)
        let d = Self.article("d", "Newest", summary: "", daysAgo: 0)
        try fixture.apply(feed([a, b, c]), source: "news", kind: "feed")
        // Next pull shows b..d minus c: a rolled off (older than b), c was taken down.
        let record = try fixture.apply(feed([b, d]), source: "news", kind: "feed")
        let revision = try #require(record.revision)
        #expect((revision.added, revision.removed) == (1, 1))
        #expect(Set(try fixture.cache.entries(at: revision.id).map(\.entry.key)) == ["a", "b", "d"])
    }

    @Test("Search finds current versions only, with a highlighted snippet", arguments: CacheBackend.allCases)
    func search(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        try fixture.apply(
            feed([
                Self.article("a", "Wig exports rise", summary: "<p>Chinese customs data on <i>wigs</i></p>", daysAgo: 1)
            ]), source: "news", kind: "feed")
        #expect(try fixture.cache.search("customs").map(\.entry.entry.key) == ["a"])
        #expect(try fixture.cache.search("customs").first?.snippet.contains("[customs]") == true)
        try fixture.apply(
            feed([Self.article("a", "Wig exports rise", summary: "Edited: tariffs", daysAgo: 1)]), source: "news",
            kind: "feed")
        #expect(try fixture.cache.search("customs").isEmpty)
        #expect(try fixture.cache.search("tariffs").count == 1)
        #expect(try fixture.cache.search("tariffs", sources: ["other"]).isEmpty)
        #expect(try fixture.cache.verify().passed)
    }
}
