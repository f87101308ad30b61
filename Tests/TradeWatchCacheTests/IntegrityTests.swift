import Foundation
import GRDB
import Synchronization
import TestSupport
import Testing
@testable import TradeWatchCache
import TradeWatchModel

@Suite("Verify and concurrent readers")
struct IntegrityTests {
    @Test("Verify passes on a healthy history and names the invariant a corruption breaks")
    func verifyFindsCorruption() throws {
        let (fixture, revisions, _) = try QueryTests.scriptedHistory()
        let report = try fixture.cache.verify()
        #expect(report.passed, "\(report.checks.filter { !$0.passed })")
        #expect(report.checks.count >= 10)

        try fixture.sqlite.pool.write { db in
            try db.execute(
                sql: "UPDATE observation SET to_rev = from_rev WHERE from_rev = ?", arguments: [revisions[1]])
        }
        let broken = try fixture.cache.verify()
        #expect(!broken.passed)
        let failed = broken.checks.filter { !$0.passed }.map(\.name)
        #expect(failed.contains("observation: from_rev < to_rev"))
        #expect(failed.contains("revision counts match the rows they opened and closed"))
    }

    @Test("Verify notices a full-text index out of step with the entries")
    func verifyFindsStaleIndex() throws {
        var fixture = try Fixture()
        try fixture.apply(
            Pull(entries: [Entry(key: "a", title: "A", summary: "text")], entryScope: .all), source: "news",
            kind: "feed")
        try fixture.sqlite.pool.write { db in try db.execute(sql: "DELETE FROM entry_fts") }
        let failed = try fixture.cache.verify().checks.filter { !$0.passed }
        #expect(failed.map(\.name) == ["full-text index holds exactly the current entries"])
        #expect(failed.first?.violations.first?.contains("missing from index") == true)
    }

    @Test("A reader during a long write sees the old revision or the new one, never half")
    func readerDuringWrite() async throws {
        var fixture = try Fixture()
        let first = (0..<20_000).map { observation(String($0), "2019-01", "1") }
        try fixture.apply(snapshot(first))
        let second =
            (0..<20_000).map { observation(String($0), "2019-01", "2") }
            + (20_000..<60_000).map { observation(String($0), "2019-01", "3") }
        let reader = try SQLiteCache(path: fixture.cache.location, access: .readOnly)

        let done = Flag()
        let writer = Task.detached { [fixture] in
            defer { done.raise() }
            var fixture = fixture
            return try fixture.apply(snapshot(second))
        }
        var snapshots: Set<String> = []
        var reads = 0
        repeat {
            let seen = try await reader.pool.read { db -> String in
                let revision = try Int64.fetchOne(db, sql: "SELECT max(id) FROM revision") ?? 0
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT count(*), sum(value = '1'), sum(value = '2'), sum(value = '3') FROM observation
                        WHERE from_rev <= ?1 AND (to_rev IS NULL OR to_rev > ?1)
                        """, arguments: [revision])
                return "\(row?[0] as Int? ?? 0)/\(row?[1] as Int? ?? 0)/\(row?[2] as Int? ?? 0)/\(row?[3] as Int? ?? 0)"
            }
            snapshots.insert(seen)
            reads += 1
        } while !done.isRaised
        _ = try await writer.value
        #expect(reads >= 1)
        #expect(snapshots.isSubset(of: ["20000/20000/0/0", "60000/0/20000/40000"]), "saw \(snapshots)")
        #expect(try reader.verify().passed)
    }
}

extension IntegrityTests {
    @Test("quick_check finds a page damaged past the header; a damaged cache refuses writes")
    func quickCheckFindsDamage() throws {
        var fixture = try Fixture()
        try fixture.apply(snapshot((0..<2_000).map { observation(String($0), "2019-01", "1") }))
        #expect(try fixture.cache.quickCheck() == [])
        let (root, pageSize) = try fixture.sqlite.pool.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT rootpage FROM sqlite_schema WHERE name = 'observation'") ?? 0,
                try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
            )
        }
        let path = fixture.cache.location
        _ = try fixture.sqlite.pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seek(toOffset: UInt64((root - 1) * pageSize + 8))
        try handle.write(contentsOf: Data(repeating: 0xEE, count: 64))
        try handle.close()

        let reopened = try SQLiteCache(path: path)
        let problems = try reopened.quickCheck()
        #expect(!problems.isEmpty)

        reopened.health.markDamaged(CacheDamage(detectedAt: Date(), problems: problems))
        #expect {
            try reopened.daemonState.rememberRedirect(source: "customs", kind: "sdmx", url: "http://127.0.0.1/moved")
        } throws: { error in
            (error as? CacheError)?.code == .damaged
        }
    }

    @Test("Opening a file that is not a database names it and says it is not a tradewatch cache")
    func notADatabase() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("notes.db")
        try String(repeating: "not a database\n", count: 300).write(toFile: path, atomically: true, encoding: .utf8)
        for access in [SQLiteCache.Access.readWrite, .readOnly] {
            #expect {
                _ = try SQLiteCache(path: path, access: access)
            } throws: { error in
                "\(error)" == "\(path): not a tradewatch cache (the file is not an SQLite database)"
            }
        }
    }
}

/// A flag one task raises and another polls.
final class Flag: Sendable {
    private let state = Mutex(false)
    func raise() { state.withLock { $0 = true } }
    var isRaised: Bool { state.withLock { $0 } }
}
