import Foundation
import GRDB
import TestSupport
import Testing
@testable import TradeWatchCache
import TradeWatchModel

@Suite("A cache from before labels is upgraded")
struct LabelMigrationTests {
    static let lastMigrationBeforeLabels = "fetch.warnings: what reading a payload noticed without failing"

    @Test("Opened by this version, a cache from before labels has every series indexed, and takes labels")
    func upgrade() throws {
        // Given a cache holding three series and articles, as the schema before labels made it
        var live = try Fixture(.sqlite)
        try live.pull(threeSeries())
        try live.pull(threeSeries(round: 1))
        try live.apply(Pull(entries: [Entry(key: "a", title: "Wigs")], entryScope: .all), source: "news", kind: "feed")
        let directory = TemporaryDirectory()
        let path = directory.file("old.db")
        try ChangeLogBackfillTests.copy(of: live.sqlite, at: path, upTo: Self.lastMigrationBeforeLabels)
        let old = try DatabaseQueue(path: path)
        #expect(try old.read { db in try db.tableExists("series_fts") } == false)
        try old.close()

        // When this version opens it
        let cache = try SQLiteCache(path: path)

        // Then every series is found by its codes and dimensions, and verify passes
        #expect(try cache.verify().passed)
        #expect(try cache.series(SeriesQuery()).count == 3)
        #expect(
            try cache.series(SeriesQuery(dimensions: ["PARTNER": ["408"]])).map(\.key)
                == [tradeKey("0901", "408"), tradeKey("6704", "408")])
        #expect(try cache.series(SeriesQuery(words: ["6704", "392"])).map(\.key) == [tradeKey("6704", "392")])
        #expect(try cache.log().allSatisfy { $0.labels == 0 })
        let summary = try #require(try cache.series(SeriesQuery(words: ["0901"])).first)
        #expect(summary.periods == 1)
        #expect(summary.lastRevision == 2)

        // And labels recorded from then on are searched
        try cache.recordReference(
            ReferenceFetchToRecord(
                source: "customs", kind: "sdmx", document: "structure",
                attempt: FetchAttempt(startedAt: Date(), url: "http://127.0.0.1/customs/structure"),
                result: .pulled([tradeLabels()])))
        #expect(try cache.series(SeriesQuery(words: ["wigs", "korea"])).map(\.key) == [tradeKey("6704", "408")])
        #expect(try cache.verify().passed)
    }
}
