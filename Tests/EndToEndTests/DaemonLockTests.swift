import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("One writer per cache: the lock next to it", .serialized)
struct DaemonLockTests {
    let directory = TemporaryDirectory()
    let publisher: Publisher

    init() throws {
        publisher = try Publisher()
    }

    private var lockFile: String { directory.file("cache.db.lock") }

    /// The pid written in the lock file, once `pid` has taken it.
    private func holds(_ pid: Int32) -> Bool {
        (try? String(contentsOfFile: lockFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            == String(pid)
    }

    @Test("A second tradewatchd on the same cache exits 75 naming the first; the first keeps running")
    func secondDaemonRefused() throws {
        let config = try daemonConfig(
            in: directory, publisher: publisher, sources: [("news", "/feeds/korea-trade.rss")])
        let first = try DaemonProcess(config: config, directory: directory)
        let pid = first.process.processIdentifier
        #expect(eventually { holds(pid) })
        #expect(eventually { FileManager.default.fileExists(atPath: directory.file("control.sock")) })

        let second = try #require(
            try runBounded("tradewatchd", ["--config", config], seconds: 15, in: directory),
            "the second daemon kept running")
        #expect(second.status == 75, "\(second.stderr)")
        #expect(second.stderr.contains("another tradewatchd (pid \(pid)) holds this cache"), "\(second.stderr)")
        // The first still owns its socket and its heartbeat.
        #expect(first.process.isRunning)
        #expect(FileManager.default.fileExists(atPath: directory.file("control.sock")))
        let status = try run(
            builtProduct("tradewatch"), ["status", "--db", directory.file("cache.db"), "--json"])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("\"daemonAlive\" : true"), "\(status.stdout)")
        #expect(status.stdout.contains("\"pid\" : \(pid)"), "\(status.stdout)")

        first.signal(SIGTERM)
        #expect(first.waitForExit(within: 15) == 0)
        // Once the holder is gone, the lock is free again.
        let after = try DaemonProcess(config: config, directory: directory)
        #expect(eventually { holds(after.process.processIdentifier) })
        // Signal handling is in place once it is running: its heartbeat says so.
        let cli = builtProduct("tradewatch")
        #expect(
            eventually {
                (try? run(cli, ["status", "--db", directory.file("cache.db"), "--json"]))?.stdout.contains(
                    "\"pid\" : \(after.process.processIdentifier)") == true
            })
        after.signal(SIGTERM)
        #expect(after.waitForExit(within: 15) == 0)
    }

    @Test("Two --once runs on one cache: the second exits 75 instead of fetching everything again")
    func secondOnceRefused() throws {
        let config = try daemonConfig(
            in: directory, publisher: publisher,
            sources: [("slow", "/hostile/slow"), ("news", "/feeds/korea-trade.rss")])
        let first = try BackgroundProcess("tradewatchd", ["--config", config, "--once"])
        #expect(eventually { holds(first.pid) })

        let second = try #require(
            try runBounded(
                "tradewatchd", ["--config", config, "--once", "--source", "news"], seconds: 30, in: directory))
        #expect(second.status == 75, "\(second.stderr)")
        #expect(second.stderr.contains("another tradewatchd (pid \(first.pid)) holds this cache"), "\(second.stderr)")
        #expect(!second.stdout.contains("news:"), "\(second.stdout)")

        // The CLI's readers never take it.
        let cli = builtProduct("tradewatch")
        #expect(eventually { (try? run(cli, ["status", "--db", directory.file("cache.db")]))?.status == 0 })
    }
}
