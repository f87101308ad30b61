import Foundation
import GRDB
import TestSupport
import Testing
@testable import TradeWatchCache
import TradeWatchModel

@Suite("The change log of a cache from before it is filled in on upgrade")
struct ChangeLogBackfillTests {
    static let lastV2Migration = "v2: the daemon's control socket and clean stop"

    /// A cache as the v2 schema made it, holding the rows `live` holds: its tables created by
    /// the migrations up to v2 alone, then filled with `live`'s rows (the columns v2 had). The
    /// recording code of v2 wrote the same versions and revisions; the log came with v3.
    static func v2Copy(of live: SQLiteCache, at path: String) throws {
        try copy(of: live, at: path, upTo: lastV2Migration)
    }

    /// A cache as the schema up to `migration` made it, holding the rows `live` holds (the
    /// columns that schema had).
    static func copy(of live: SQLiteCache, at path: String, upTo migration: String) throws {
        let queue = try DatabaseQueue(path: path)
        try SQLiteCache.migrator.migrate(queue, upTo: migration)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS live", arguments: [live.path])
            try db.inTransaction {
                let tables = try String.fetchAll(
                    db,
                    sql: """
                        SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                            AND name NOT LIKE 'grdb_%' AND name NOT LIKE 'entry_fts_%'
                        """)
                if migration == lastV2Migration { #expect(!tables.contains("observation_change")) }
                for table in tables {
                    var columns = try Row.fetchAll(db, sql: "PRAGMA main.table_info(\"\(table)\")").map {
                        "\"" + ($0["name"] as String) + "\""
                    }
                    if table == "entry_fts" { columns.insert("rowid", at: 0) }
                    let list = columns.joined(separator: ", ")
                    // (OR REPLACE: rows a migration wrote itself, like cache_setting's, take the live values.)
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO main.\"\(table)\" (\(list)) SELECT \(list) FROM live.\"\(table)\"")
                }
                return .commit
            }
            try db.execute(sql: "DETACH DATABASE live")
        }
        try queue.close()
    }

    /// Every row of the change log, in key order, as text.
    static func logRows(_ writer: some DatabaseReader) throws -> [String] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM observation_change ORDER BY revision, series_id, period, side")
                .map { $0.description }
        }
    }

    static func changeLogFrom(_ writer: some DatabaseReader) throws -> Int64? {
        try writer.read { db in try SQLiteCache.changeLogFrom(db) }
    }

    /// Every diff between two of `revisions`, with and without a source filter, against the
    /// oracle (the two as-of views compared); backwards, visited one at a time as listed.
    static func expectOracle(_ cache: SQLiteCache, _ revisions: [Int64], pairs: Int = 50) throws {
        var compared = 0
        for a in revisions {
            for b in revisions where b > a {
                for filter in [RowFilter(), RowFilter(sources: ["imf"])] {
                    #expect(
                        ChangeLogTests.lines(try cache.diff(from: a, to: b, filter: filter))
                            == (try ChangeLogTests.expectedLines(cache, a, b, filter)), "\(a)..\(b) \(filter)")
                    var visited: [ObservationChange] = []
                    try cache.forEachObservationChange(from: b, to: a, filter: filter) { visited.append($0) }
                    #expect(visited == (try cache.diff(from: b, to: a, filter: filter)).observations)
                }
                compared += 1
            }
        }
        #expect(compared >= pairs)
    }

    @Test("Opened by this version, a v2 cache gets the log the live path writes, and every diff equals the oracle")
    func upgradeFromV2() throws {
        // Given the same history recorded live (logged as it went) and as a v2 cache (no log)
        let (fixture, revisions) = try ChangeLogTests.randomHistory(seed: 7, rounds: 6)
        let expected = try Self.logRows(fixture.sqlite.pool)
        #expect(expected.count > 20)
        let directory = TemporaryDirectory()
        let path = directory.file("v2.db")
        try Self.v2Copy(of: fixture.sqlite, at: path)

        // When this version opens it to write
        let upgraded = try SQLiteCache(path: path)

        // Then the log holds exactly what the live path wrote, and it covers every revision
        #expect(try Self.logRows(upgraded.pool) == expected)
        #expect(try Self.changeLogFrom(upgraded.pool) == 1)
        try Self.expectOracle(upgraded, revisions)
        #expect(try upgraded.verify().passed)
        // Opened again, nothing more is written.
        _ = try SQLiteCache(path: path)
        #expect(try Self.logRows(upgraded.pool) == expected)
    }

    @Test("A backfill stopped after some batches resumes on the next open, with no row twice")
    func interruptedBackfill() throws {
        let (fixture, revisions) = try ChangeLogTests.randomHistory(seed: 11, rounds: 6)
        let expected = try Self.logRows(fixture.sqlite.pool)
        let directory = TemporaryDirectory()
        let path = directory.file("v2.db")
        try Self.v2Copy(of: fixture.sqlite, at: path)

        // Migrated, then two small batches of the backfill, as if the process stopped there.
        let pool = try DatabasePool(path: path)
        try SQLiteCache.migrator.migrate(pool)
        let latest = try #require(revisions.last)
        #expect(try Self.changeLogFrom(pool) == latest + 1)
        let progress = try SQLiteCache.backfillChangeLog(pool, batchRows: 4, batches: 2)
        #expect(progress.batches == 2)
        #expect(!progress.finished)
        let mark = try #require(try Self.changeLogFrom(pool))
        #expect(mark > 1 && mark <= latest)
        // What the two batches wrote is the live log of the revisions from the mark on.
        let partial = try Self.logRows(pool)
        #expect(partial.count == progress.rows)
        let fromMark = try fixture.sqlite.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM observation_change WHERE revision >= ?", arguments: [mark])
        }
        #expect(partial.count == fromMark)
        #expect(partial == Array(expected.suffix(partial.count)))
        try pool.close()

        // A reader meanwhile diffs what the log covers and refuses to reach further back.
        let reader = try SQLiteCache(path: path, access: .readOnly)
        let covered = revisions.filter { $0 >= mark - 1 }
        #expect(covered.count >= 2)
        try Self.expectOracle(reader, covered, pairs: 1)
        #expect(throws: CacheError.self) { try reader.diff(from: 0, to: latest) }

        // The next read-write open continues below the mark and ends with the live log.
        let resumed = try SQLiteCache(path: path)
        #expect(try Self.logRows(resumed.pool) == expected)
        #expect(try Self.changeLogFrom(resumed.pool) == 1)
        try Self.expectOracle(resumed, revisions)
        #expect(try resumed.verify().passed)
    }
}
