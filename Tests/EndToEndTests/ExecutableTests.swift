import Foundation
import TestSupport
import Testing
@testable import TradeWatchCache
import GRDB
import TradeWatchFormats
import TradeWatchModel

/// The built executables, run as a user would run them.
@Suite("The executables end to end")
struct ExecutableTests {
    let cli = builtProduct("tradewatch")
    let daemon = builtProduct("tradewatchd")

    @Test("Both executables print the same version")
    func versions() throws {
        let cliVersion = try run(cli, ["--version"])
        let daemonVersion = try run(daemon, ["--version"])
        #expect(cliVersion.status == 0 && daemonVersion.status == 0)
        #expect(cliVersion.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == TradeWatch.version)
        #expect(daemonVersion.stdout == cliVersion.stdout)
    }

    @Test("A usage error exits 2 with a message naming the problem")
    func usageError() throws {
        let result = try run(cli, ["inspect", "--max-bytes", "lots", "http://127.0.0.1:9/"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--max-bytes"))
        #expect(try run(cli, ["no-such-command"]).status == 2)
    }

    @Test("inspect --json describes a fetch, and a failed fetch exits 1 with its error code")
    func inspect() throws {
        let server = try FixtureServer()
        let ok = try run(cli, ["inspect", "--json", server.url("/permanent/1?subscription-key=SECRET42")])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(!ok.stdout.contains("SECRET42"))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as? [String: Any])
        let fetch = try #require(report["fetch"] as? [String: Any])
        #expect(fetch["status"] as? Int == 200)
        #expect(fetch["etag"] as? String == "\"v1\"")
        #expect(fetch["redirects"] as? Int == 2)
        #expect(fetch["permanentRedirect"] as? String == server.url("/ok"))
        #expect(fetch["bytes"] as? Int == 64)
        #expect(report["input"] as? String == server.url("/permanent/1?subscription-key=***"))

        let notModified = try run(cli, ["inspect", "--json", "--etag", "\"v1\"", server.url("/ok")])
        #expect(notModified.stdout.contains("\"notModified\" : true"))

        let failed = try run(cli, ["inspect", "--json", server.url("/ratelimit/seconds")])
        #expect(failed.status == 1)
        let error = try #require(
            (try JSONSerialization.jsonObject(with: Data(failed.stdout.utf8)) as? [String: Any])?["error"]
                as? [String: Any])
        #expect(error["code"] as? String == "rate-limited")
        #expect(error["retryAfterSeconds"] as? Int == 120)
    }

    @Test("The usual proxy variables are honoured")
    func proxyFromEnvironment() throws {
        let proxy = try FixtureServer()
        // The .invalid name cannot resolve: the fetch succeeds only through the proxy, which
        // the scenario server plays by answering the absolute-URI request itself.
        var environment = ProcessInfo.processInfo.environment
        environment["http_proxy"] = proxy.url("")
        environment["no_proxy"] = ""
        let result = try run(
            cli, ["inspect", "--json", "http://tradewatch-proxy-test.invalid/ok"], environment: environment)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("\"status\" : 200"))
    }

    @Test("inspect reads a local feed without any network and shows what the parser made of it")
    func inspectFile() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("feed.xml")
        try """
        <?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
        <entry><id>urn:1</id><title>Wigs</title><updated>2019-07-01T00:00:00+09:00</updated></entry></feed>
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try run(cli, ["inspect", "--json", path])
        #expect(result.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["detected"] as? String == "atom")
        let parsed = try #require(report["parsed"] as? [String: Any])
        #expect(parsed["kind"] as? String == "feed")
        #expect(parsed["format"] as? String == "atom1.0")
        #expect(parsed["wellFormed"] as? Bool == true)
        let entries = try #require(parsed["entries"] as? [[String: Any]])
        #expect(entries.first?["key"] as? String == "urn:1")
        #expect(entries.first?["updated"] as? String == "2019-06-30T15:00:00Z")

        let page = directory.file("page.html")
        try "<!DOCTYPE html><html><body>not a feed</body></html>".write(toFile: page, atomically: true, encoding: .utf8)
        let notFeed = try run(cli, ["inspect", "--json", "--kind", "feed", page])
        #expect(notFeed.status == 1)
        #expect(notFeed.stdout.contains("not-a-feed"))
    }

    @Test("verify exits 0 on a healthy cache and 1 with the broken invariant on a damaged one")
    func verify() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("cache.db")
        let cache = try SQLiteCache(path: path)
        let series = SeriesKey(["FREQ": "M", "CMD": "6704"])
        for value in ["1", "2"] {
            _ = try cache.record(
                source: "customs", kind: "sdmx", attempt: FetchAttempt(startedAt: Date(), url: "http://127.0.0.1/"),
                result: .pulled(
                    PullContent(
                        Pull(
                            observations: [
                                Observation(dataset: "T", series: series, period: Period("2019-01"), value: value)
                            ],
                            observationScope: .wholeSource), searchText: HTMLCleaner.text)))
        }
        let healthy = try run(cli, ["verify", "--db", path])
        #expect(healthy.status == 0, "\(healthy.stdout)")
        #expect(healthy.stdout.contains("checks passed"))

        try cache.pool.write { db in try db.execute(sql: "UPDATE revision SET added = added + 5") }
        let broken = try run(cli, ["verify", "--db", path, "--json"])
        #expect(broken.status == 1)
        #expect(broken.stdout.contains("revision counts match the rows they opened and closed"))

        let missing = try run(cli, ["verify", "--db", directory.file("absent.db")])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no cache here"))
    }
}
