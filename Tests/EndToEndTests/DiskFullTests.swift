import Foundation
import TestSupport
import Testing
import TradeWatchCache

@Suite("A full disk")
struct DiskFullTests {
    /// Mounts a tmpfs of `size` at `path`; false where the machine does not allow it.
    static func mount(_ path: String, size: String, remount: Bool = false) -> Bool {
        let options = (remount ? "remount," : "") + "size=\(size)"
        guard let result = try? run("/bin/mount", ["-t", "tmpfs", "-o", options, "tmpfs", path]) else { return false }
        return result.status == 0
    }

    @Test("The cache fills up during a sync: a clear error, a sound cache, and success once space is freed")
    func fillsUp() throws {
        let directory = TemporaryDirectory()
        let small = directory.file("small")
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        guard Self.mount(small, size: "1m") else {
            print("skipped: cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)")
            return
        }
        defer { _ = try? run("/bin/umount", [small]) }
        let publisher = try Publisher()
        let config = directory.file("full.toml")
        try """
        [daemon]
        cache = "\(small)/cache.db"

        [[source]]
        name = "news"
        kind = "feed"
        url = "\(publisher.url("/feeds/border-news.atom"))"

        [[source]]
        name = "big-figures"
        kind = "csv"
        url = "\(publisher.url("/csv/cn-kp-trade.csv"))"
        dataset = "CUSTOMS"
        delimiter = ";"
        decimal = ","
        dimensions = ["Flow", "HS"]
        period = "Month"
        value = "Value"
        keep_raw = false

        [[source]]
        name = "huge-feed"
        kind = "feed"
        url = "\(publisher.url("/hostile/huge-feed?items=20000"))"
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = builtProduct("tradewatchd")

        let full = try run(daemon, ["--config", config, "--once"])
        #expect(full.status == 1, "\(full.stdout)")
        #expect(full.stdout.contains("huge-feed: failed — cache: "), "\(full.stdout)")
        #expect(full.stdout.contains("full"), "\(full.stdout)")
        let verify = try run(builtProduct("tradewatch"), ["verify", "--db", small + "/cache.db"])
        #expect(verify.status == 0, "\(verify.stdout)")

        #expect(Self.mount(small, size: "64m", remount: true))
        let freed = try run(daemon, ["--config", config, "--once"])
        #expect(freed.status == 0, "\(freed.stdout)\(freed.stderr)")
        #expect(freed.stdout.contains("huge-feed: changed"), "\(freed.stdout)")
        #expect(try SQLiteCache(path: small + "/cache.db", access: .readOnly).verify().passed)
    }
}
