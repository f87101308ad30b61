import Foundation
import GRDB
import TestSupport
import Testing
@testable import TradeWatchCache
import TradeWatchFormats
import TradeWatchModel

@Suite("Recording many fetches in one transaction")
struct BatchTests {
    struct ProducerFailed: Error {}

    static func article(_ key: String, _ title: String) -> Entry {
        Entry(
            key: key, id: key, title: title, link: "https://example.org/\(key)",
            published: Date(timeIntervalSince1970: 1_561_939_200), summary: "<p>\(title)</p>")
    }

    func record(_ cache: any CacheWriter, feed: String, titles: [String], at date: Date) throws -> FetchRecord {
        try cache.record(
            source: feed, kind: "feed", attempt: FetchAttempt(startedAt: date, url: "http://127.0.0.1/\(feed)"),
            result: .pulled(
                PullContent(
                    Pull(entries: titles.map { Self.article("\(feed)-\($0)", $0) }, entryScope: .all),
                    searchText: HTMLCleaner.text)),
            finishedAt: date)
    }

    @Test("A batch commits every job that succeeded, nothing of the one that threw, and leaves no gap in revisions")
    func partialFailure() throws {
        let fixture = try Fixture()
        let cache = fixture.cache
        var records: [String: FetchRecord] = [:]
        let errors = try cache.writeBatch([
            { records["a"] = try record(cache, feed: "a", titles: ["wigs", "coal"], at: fixture.clock) },
            {
                _ = try cache.record(
                    source: "b", kind: "sdmx",
                    attempt: FetchAttempt(startedAt: fixture.clock, url: "http://127.0.0.1/b"),
                    result: .pulled(
                        PullContent(mode: .snapshot, observationScope: .wholeSource) { sink in
                            try sink.add(observation("6704", "2019-01", "12"))
                            throw ProducerFailed()
                        }))
            },
            { records["c"] = try record(cache, feed: "c", titles: ["paintings"], at: fixture.clock) },
        ])
        #expect(errors[0] == nil && errors[2] == nil)
        #expect(errors[1] is ProducerFailed)
        #expect(records["a"]?.revision?.id == 1)
        #expect(records["c"]?.revision?.id == 2, "the failed job's revision id is reused")
        let log = try cache.log()
        #expect(log.map(\.source) == ["c", "a"])
        #expect(log.map(\.added) == [1, 2])
        let b = try fixture.sqlite.pool.read { db in
            try Int.fetchOne(
                db,
                sql: "SELECT count(*) FROM observation o JOIN series s ON s.id = o.series_id "
                    + "JOIN source src ON src.id = s.source_id WHERE src.name = 'b'")
        }
        #expect(b == 0)
        #expect(try cache.search("paintings").count == 1)
        #expect(try cache.verify().passed)
    }

    @Test("A failure of SQLite itself inside a batch writes nothing of the batch")
    func databaseFailure() throws {
        let fixture = try Fixture()
        let cache = try fixture.sqlite
        let error = #expect(throws: CacheError.self) {
            _ = try cache.writeBatch([
                { _ = try record(cache, feed: "a", titles: ["wigs"], at: fixture.clock) },
                { try cache.write { db in try db.execute(sql: "INSERT INTO revision (id) VALUES ('not a number')") } },
            ])
        }
        // What SQLite said is kept for the log: its own code and the statement it refused.
        #expect(error?.code == .database)
        #expect(error?.underlying?.code == 20, "SQLITE_MISMATCH: \(String(describing: error?.underlying))")
        #expect(error?.underlying?.name == "datatype mismatch")
        #expect(error?.underlying?.statement?.contains("INSERT INTO revision") == true)
        #expect(try cache.log().isEmpty)
        #expect(try cache.syncState(source: "a") == nil)
        // The cache is usable afterwards, and the same job alone succeeds.
        let alone = try record(cache, feed: "a", titles: ["wigs"], at: fixture.clock)
        #expect(alone.revision?.id == 1)
        #expect(try cache.verify().passed)
    }

    @Test(
        "Edits and removals recorded in one batch are separate revisions, each with its own changes",
        arguments: CacheBackend.allCases)
    func successiveRevisionsOfOneSource(backend: CacheBackend) throws {
        let fixture = try Fixture(backend)
        let cache = fixture.cache
        var records: [FetchRecord] = []
        let errors = try cache.writeBatch([
            { records.append(try record(cache, feed: "a", titles: ["wigs", "coal"], at: fixture.clock)) },
            { records.append(try record(cache, feed: "a", titles: ["wigs"], at: fixture.clock + 60)) },
        ])
        #expect(errors.allSatisfy { $0 == nil })
        #expect(records.compactMap(\.revision).map { [$0.added, $0.removed] } == [[2, 0], [0, 1]])
        #expect(try cache.search("coal").isEmpty)
        #expect(try cache.verify().passed)
    }
}
