import Foundation
import TestSupport
import Testing
import TradeWatchCache
import TradeWatchFormats
import TradeWatchModel

@Suite("status and status --check")
struct StatusCommandTests {
    let cli = builtProduct("tradewatch")

    @Test("Every exit code of --check: 0 fresh, 1 stale or failing, 2 daemon down or cache unreadable")
    func checkCodes() throws {
        let directory = TemporaryDirectory()
        let db = try RevisionCommandsTests.scriptedCache(directory)

        let noDaemon = try run(cli, ["status", "--db", db, "--check"])
        #expect(noDaemon.status == 2)
        #expect(noDaemon.stdout.hasPrefix("TRADEWATCH CRITICAL - daemon down"))

        let cache = try SQLiteCache(path: db)
        try cache.daemonState.beat(pid: 4242, version: TradeWatch.version, startedAt: Date(), status: "2 sources")
        let stale = try run(cli, ["status", "--db", db, "--check"])
        #expect(stale.status == 1)
        #expect(stale.stdout.contains("stale: customs, news"))

        let fresh = try run(cli, ["status", "--db", db, "--check", "--max-age", "100000d"])
        #expect(fresh.status == 0, "\(fresh.stdout)")
        #expect(fresh.stdout == "TRADEWATCH OK - 2 sources fresh\n")

        try cache.record(
            source: "news", kind: "feed", attempt: FetchAttempt(startedAt: Date(), url: "http://127.0.0.1/n"),
            result: .failed(code: "http-status", message: "the server answered HTTP 500"))
        let failing = try run(cli, ["status", "--db", db, "--check", "--max-age", "100000d"])
        #expect(failing.status == 1)
        #expect(failing.stdout.contains("failing: news"))

        let unreadable = try run(cli, ["status", "--db", directory.file("absent.db"), "--check"])
        #expect(unreadable.status == 2)
        #expect(unreadable.stdout.hasPrefix("TRADEWATCH CRITICAL - cache unreadable"))
    }

    @Test("The status table and JSON show each source with its counts and last error")
    func table() throws {
        let directory = TemporaryDirectory()
        let db = try RevisionCommandsTests.scriptedCache(directory)
        let cache = try SQLiteCache(path: db)
        try cache.record(
            source: "news", kind: "feed", attempt: FetchAttempt(startedAt: Date(), url: "http://127.0.0.1/n"),
            result: .failed(code: "timeout", message: "the server did not answer in time"))
        let text = try run(cli, ["status", "--db", db])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("daemon: never started"))
        #expect(text.stdout.contains("timeout: the server did not answer in time"))
        let json = try run(cli, ["status", "--db", db, "--json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let sources = try #require(report["sources"] as? [[String: Any]])
        #expect(sources.map { $0["name"] as? String } == ["customs", "news"])
        #expect(sources.first?["observations"] as? Int == 1)
        #expect(sources.last?["consecutiveFailures"] as? Int == 1)
        #expect(report["daemonAlive"] as? Bool == false)
    }

    @Test("The table's columns line up under their headings, counts with thousands separators, no trailing blanks")
    func alignment() throws {
        let directory = TemporaryDirectory()
        let db = try RevisionCommandsTests.scriptedCache(directory)
        let cache = try SQLiteCache(path: db)
        let many = (0..<1234).map { month in
            Observation(
                dataset: "TRADE", series: SeriesKey(["CMD": "6704"]),
                period: Period("\(1900 + month / 12)-\(String(format: "%02d", month % 12 + 1))"), value: "\(month)")
        }
        try cache.record(
            source: "a-long-source-name", kind: "sdmx",
            attempt: FetchAttempt(startedAt: Date(), url: "http://127.0.0.1/a"),
            result: .pulled(
                PullContent(Pull(observations: many, observationScope: .wholeSource), searchText: HTMLCleaner.text)))
        let text = try run(cli, ["status", "--db", db])
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("daemon:") }
        let header = try #require(lines.first)
        #expect(header.hasPrefix("SOURCE "))
        #expect(lines.allSatisfy { $0.last != " " })
        let row = try #require(lines.first { $0.hasPrefix("a-long-source-name") })
        #expect(row.contains(" 1,234 "))
        // Left-aligned KIND starts at the same column on every line; right-aligned ROWS ends at one.
        let kind = try #require(header.range(of: "KIND")).lowerBound.utf16Offset(in: header)
        for line in lines.dropFirst() {
            let cells = line.utf16.dropFirst(kind)
            #expect(line.utf16.count > kind && Array(line.utf16)[kind - 1] == 32 && cells.first != 32, "\(line)")
        }
        let rowsEnd = try #require(header.range(of: "ROWS")).upperBound.utf16Offset(in: header)
        #expect(String(row.utf16.prefix(rowsEnd))?.hasSuffix(" 1,234") == true, "\(row)")
    }
}
