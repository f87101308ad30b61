import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("A damaged cache is noticed, reported and no longer written", .serialized)
struct CacheDamageTests {
    let directory = TemporaryDirectory()
    let publisher: Publisher

    init() throws {
        publisher = try Publisher()
    }

    private var cache: String { directory.file("cache.db") }

    /// Overwrites the cell pointers of `table`'s root page with garbage: the file still opens,
    /// its header and schema are intact, and `PRAGMA quick_check` finds the damage.
    private func damage(table: String) throws {
        let query = try run("/usr/bin/sqlite3", [cache, "SELECT rootpage FROM sqlite_schema WHERE name = '\(table)'"])
        let page = try #require(Int(query.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(query)")
        let header = try #require(FileHandle(forReadingAtPath: cache)).readData(ofLength: 100)
        let pageSize = Int(header[16]) << 8 | Int(header[17])
        #expect(page > 1)
        let handle = try #require(FileHandle(forWritingAtPath: cache))
        try handle.seek(toOffset: UInt64((page - 1) * pageSize + 8))
        try handle.write(contentsOf: Data(repeating: 0xEE, count: 64))
        try handle.close()
    }

    @Test("Bits flipped past the header: the daemon stops writing, status says so and how to recover")
    func damagedCache() throws {
        let config = try daemonConfig(
            in: directory, publisher: publisher, sources: [("news", "/feeds/korea-trade.rss")])
        let once = try run(builtProduct("tradewatchd"), ["--config", config, "--once"])
        #expect(once.status == 0, "\(once.stderr)")
        try damage(table: "entry")

        let daemon = try DaemonProcess(config: config, directory: directory)
        #expect(eventually { FileManager.default.fileExists(atPath: cache + ".damaged") }, "\(daemon.logText)")
        #expect(daemon.logText.contains("the cache is damaged; writes are stopped"))
        #expect(daemon.logText.contains("tradewatch verify"))

        let cli = builtProduct("tradewatch")
        // Once its first heartbeat is written (damage or not, the daemon keeps that one row up).
        #expect(eventually { (try? run(cli, ["status", "--check", "--db", cache]))?.status == 1 })
        let check = try run(cli, ["status", "--check", "--db", cache])
        #expect(check.status == 1, "\(check.stdout)")
        #expect(check.stdout.contains("cache DAMAGED"), "\(check.stdout)")
        let status = try run(cli, ["status", "--db", cache])
        #expect(status.stdout.contains("cache DAMAGED"), "\(status.stdout)")
        #expect(status.stdout.contains(".recover"), "\(status.stdout)")

        let sync = try run(cli, ["sync", "news", "--wait", "--socket", directory.file("control.sock")])
        #expect(sync.status == 1)
        #expect(sync.stderr.contains("the cache is damaged"), "\(sync.stderr)")

        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(within: 15) == 0, "\(daemon.logText)")
        // --once will not write to it either while the damage is there.
        let again = try run(builtProduct("tradewatchd"), ["--config", config, "--once"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("the cache is damaged"), "\(again.stderr)")
    }

    @Test("A file that is not a database: the daemon names it and says it is not a tradewatch cache")
    func notADatabase() throws {
        let config = try daemonConfig(
            in: directory, publisher: publisher, sources: [("news", "/feeds/korea-trade.rss")])
        try String(repeating: "these are my notes, not a database\n", count: 200).write(
            toFile: cache, atomically: true, encoding: .utf8)
        // Named by the configuration: the configuration does not check out (78).
        let configured = try run(builtProduct("tradewatchd"), ["--config", config, "--once"])
        #expect(configured.status == 78)
        #expect(configured.stderr.contains("\"\(cache)\" is not a tradewatch cache"), "\(configured.stderr)")
        // Named by --db, past the configuration check: the open names it the same way.
        try FileManager.default.removeItem(atPath: cache)
        let notes = directory.file("notes.db")
        try String(repeating: "these are my notes, not a database\n", count: 200).write(
            toFile: notes, atomically: true, encoding: .utf8)
        let once = try run(builtProduct("tradewatchd"), ["--config", config, "--db", notes, "--once"])
        #expect(once.status == 1)
        #expect(once.stderr.contains("\(notes): not a tradewatch cache"), "\(once.stderr)")

        // Someone else's SQLite database named by --db: refused, not one byte of it changed.
        let theirs = directory.file("theirs.sqlite")
        let made = try run(
            "/usr/bin/env",
            [
                "python3", "-c",
                "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table notes(t)'); c.commit()",
                theirs,
            ])
        #expect(made.status == 0, "\(made.stderr)")
        let before = try Data(contentsOf: URL(fileURLWithPath: theirs))
        let refused = try run(builtProduct("tradewatchd"), ["--config", config, "--db", theirs, "--once"])
        #expect(refused.status == 1)
        #expect(
            refused.stderr.contains("\(theirs): an SQLite database but not a tradewatch cache"), "\(refused.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: theirs)) == before)
        #expect(!FileManager.default.fileExists(atPath: theirs + ".lock"))
        #expect(!once.stderr.contains("while executing"), "\(once.stderr)")
    }
}
