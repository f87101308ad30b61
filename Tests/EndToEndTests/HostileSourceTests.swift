import Foundation
import TestSupport
import Testing
import TradeWatchCache
import TradeWatchSync
import TradeWatchModel

#if canImport(Glibc)
import Glibc
#endif

@Suite("Hostile publishers: each ends as a clear error on its source, the others keep syncing")
struct HostileSourceTests {
    /// Mode → the error code it must end with (nil: the document is recovered and kept).
    static let modes: [(mode: String, code: SyncErrorCode?)] = [
        ("slow", .timeout), ("endless", .tooLarge), ("bomb", .tooLarge), ("huge-length", .tooLarge),
        ("redirect-loop", .tooManyRedirects), ("to-file", .protocolNotAllowed), ("429", .rateLimited),
        ("500", .httpStatus), ("reset", .io), ("html", .notAFeed), ("truncated", nil), ("invalid-utf8", nil),
        ("xxe", nil), ("laughs", nil), ("huge-feed", nil),
    ]

    @Test("Every hostile mode at once, beside good sources, with the memory bounded")
    func allAtOnce() async throws {
        let directory = TemporaryDirectory()
        let publisher = try Publisher()
        var config = """
            [daemon]
            cache = "\(directory.file("cache.db"))"
            max_bytes = "32MiB"
            timeout = "60s"

            [[source]]
            name = "good-news"
            kind = "feed"
            url = "\(publisher.url("/feeds/border-news.atom"))"

            [[source]]
            name = "good-figures"
            kind = "sdmx"
            base_url = "\(publisher.url("/sdmx"))"
            flow = "TRADE_CN_KP"

            """
        for (mode, _) in Self.modes {
            config += """

                [[source]]
                name = "hostile-\(mode)"
                kind = "feed"
                url = "\(publisher.url("/hostile/\(mode)"))"
                \(mode == "slow" ? "timeout = \"4s\"" : "")

                """
        }
        let file = directory.file("hostile.toml")
        try config.write(toFile: file, atomically: true, encoding: .utf8)

        let started = Date()
        let result = try await runOffPool(builtProduct("tradewatchd"), ["--config", file, "--once"])
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        #expect(result.status == 1)
        // Nothing hangs: the slow source ends at its own 4 s timeout, the endless one at max_bytes.
        // (The others get a minute: the publisher builds its 100 MiB gzip bomb on the first
        // request, which takes seconds on a loaded machine.)
        #expect(Date().timeIntervalSince(started) < 300)
        #expect(result.stdout.contains("good-news: changed"), "\(result.stdout)")
        #expect(result.stdout.contains("good-figures: changed"), "\(result.stdout)")

        let cache = try SQLiteCache(path: directory.file("cache.db"), access: .readOnly)
        let status = Dictionary(uniqueKeysWithValues: try cache.status().map { ($0.name, $0) })
        for (mode, code) in Self.modes {
            let source = try #require(status["hostile-\(mode)"], "hostile-\(mode) was never recorded")
            if let code {
                #expect(
                    source.lastErrorCode == code.rawValue,
                    "\(mode): \(source.lastErrorCode ?? "-") \(source.lastErrorMessage ?? "")")
                #expect((source.lastErrorMessage ?? "").count > 10, "\(mode) has no clear message")
            } else if mode == "reset" {
                #expect(source.lastErrorCode == SyncErrorCode.io.rawValue, "\(mode): \(source.lastErrorMessage ?? "")")
            } else {
                // Recovered: kept with warnings, never a crash nor a lost source.
                #expect(source.lastOutcome != "failed", "\(mode): \(source.lastErrorMessage ?? "")")
            }
        }
        // No entity was expanded: neither the XXE file nor the laughs.
        let entries = try cache.entries(at: try cache.resolve(.latest), sources: ["hostile-xxe", "hostile-laughs"])
        #expect(!entries.contains { ($0.entry.title ?? "").contains("root:") })
        #expect(!entries.contains { ($0.entry.title ?? "").contains("hahahaha") })
        #expect(status["hostile-huge-feed"]?.entries == 100_000)
        // The whole run, the 100,000-item feed and 32 MiB bodies included, stays bounded.
        #expect(usage.ru_maxrss < 400_000, "peak RSS \(usage.ru_maxrss) KiB")
        #expect(try cache.verify().passed)
    }
}
