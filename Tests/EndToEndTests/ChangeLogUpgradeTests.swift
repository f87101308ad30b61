import Foundation
import GRDB
import TestSupport
import Testing
@testable import TradeWatchCache
import TradeWatchFormats
import TradeWatchModel

#if canImport(Glibc)
import Glibc
#endif

@Suite("Upgrading a cache from before the change log")
struct ChangeLogUpgradeTests {
    let directory = TemporaryDirectory()

    /// A cache as migration v3 leaves one made by the v2 schema: revisions without their
    /// change log, and the mark past the last of them.
    func cacheWithoutLog() throws -> Int64 {
        let cache = try SQLiteCache(path: directory.file("cache.db"))
        let series = SeriesKey(["FREQ": "M", "CMD": "6704"])
        for (round, values) in [["1", "2", "3"], ["1", "5", "3"], ["7", "5"]].enumerated() {
            let observations = values.enumerated().map { index, value in
                Observation(dataset: "T", series: series, period: Period("2019-0\(index + 1)"), value: value)
            }
            try cache.record(
                source: "customs", kind: "sdmx",
                attempt: FetchAttempt(
                    startedAt: Date(timeIntervalSince1970: Double(round) * 3600), url: "http://127.0.0.1/"),
                result: .pulled(
                    PullContent(
                        Pull(observations: observations, observationScope: .wholeSource), searchText: HTMLCleaner.text))
            )
        }
        let latest = try cache.resolve(.latest)
        try cache.pool.write { db in
            try db.execute(sql: "DELETE FROM observation_change")
            try db.execute(
                sql: "UPDATE cache_setting SET value = ? WHERE name = 'change_log_from'", arguments: [latest + 1])
        }
        return latest
    }

    @Test(
        "tradewatchd fills the log in at start, says so and asks systemd for time; diff then works, and verify passes")
    func daemonBackfills() throws {
        let latest = try cacheWithoutLog()
        let cli = builtProduct("tradewatch")
        let path = directory.file("cache.db")
        let before = try run(cli, ["diff", "1..\(latest)", "--db", path])
        #expect(before.status != 0)
        #expect(before.stderr.contains("still being filled in"), "\(before.stderr)")

        let publisher = try Publisher()
        let config = try daemonConfig(
            in: directory, publisher: publisher, sources: [("news", "/feeds/korea-trade.rss")])
        let listener = try NotifyListener(path: directory.file("notify.sock"))
        let daemon = try DaemonProcess(
            config: config, directory: directory, environment: ["NOTIFY_SOCKET": listener.path])
        let messages = listener.receive(for: 20) { $0.contains { $0.hasPrefix("READY=1") } }
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(within: 15) == 0, "\(daemon.logText)")
        let extend = messages.firstIndex { $0.hasPrefix("EXTEND_TIMEOUT_USEC=") }
        let ready = messages.firstIndex { $0.hasPrefix("READY=1") }
        #expect(extend != nil && ready != nil && extend! < ready!, "\(messages)")
        #expect(daemon.logText.contains("filling in the change log of older revisions"), "\(daemon.logText)")

        let after = try run(cli, ["diff", "1..\(latest)", "--db", path, "--format", "csv"])
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.stdout.contains("2019-01") && after.stdout.contains("2019-03"), "\(after.stdout)")
        let verify = try run(cli, ["verify", "--db", path])
        #expect(verify.status == 0, "\(verify.stdout)")
    }
}
