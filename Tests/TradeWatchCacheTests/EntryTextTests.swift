import Foundation
import TestSupport
import Testing
import TradeWatchCache
import TradeWatchModel

/// A title is plain text: what the index holds of it is the title itself, so every word of it
/// is found and it is shown whole.
@Suite("Entry text: titles are searched and shown as published")
struct EntryTextTests {
    @Test("A title holding '<' is found by the words after it and comes back intact")
    func titleWithAngleBrackets() throws {
        var fixture = try Fixture()
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
}
