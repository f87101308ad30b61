import Foundation
import TestSupport
import Testing
import TradeWatchCache

#if canImport(Glibc)
import Glibc
#endif

/// A configuration file is hostile input too: the TOML parser runs in a child process, so a
/// file that crashes it is an error, not a dead daemon; strings are bounded and free of
/// control characters; the cache it names is a tradewatch cache.
@Suite("Configuration safety: a parser crash, bounds, the cache path", .serialized)
struct ConfigSafetyTests {
    let directory = TemporaryDirectory()
    let cli = builtProduct("tradewatch")
    /// One stray `}` in an array of inline tables: toml++ fails an assertion and aborts.
    static let crashing = "s=[{a=1},}"

    func write(_ text: String, to name: String = "tradewatch.toml") throws -> String {
        let path = directory.file(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("config check on a file that crashes the TOML parser exits 1 and says so")
    func checkCrash() throws {
        let file = try write("# a comment\n\n" + Self.crashing + "\n")
        let result = try run(cli, ["config", "check", file])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(
            result.stderr.contains("\(file): the TOML parser crashed on this file (line 3); nothing changed"),
            "\(result.stderr)")
        let json = try run(cli, ["config", "check", file, "--json"])
        #expect(json.status == 1)
        #expect(json.stdout.contains("the TOML parser crashed"), "\(json.stdout)")
    }

    @Test("tradewatchd started with such a file exits 78 with the reason, not on a signal")
    func daemonStartCrash() throws {
        let file = try write(Self.crashing)
        let result = try run(builtProduct("tradewatchd"), ["--config", file, "--once"])
        #expect(result.status == 78, "\(result.stderr)")
        #expect(result.stderr.contains("the TOML parser crashed on this file"), "\(result.stderr)")
    }

    @Test("SIGHUP with such a file keeps the daemon running on its configuration, still serving status")
    func reloadCrash() throws {
        let publisher = try Publisher()
        let db = directory.file("cache.db")
        let good = """
            [daemon]
            cache = "\(db)"
            control_socket = "\(directory.file("control.sock"))"
            interval = "1h"
            jitter = "0s"
            startup_spread = "0s"

            [[source]]
            name = "news"
            kind = "feed"
            url = "\(publisher.url("/feeds/korea-trade.rss"))"
            """
        let file = try write(good)
        let daemon = try DaemonProcess(config: file, directory: directory)
        // Once the first sync is recorded, the daemon's services (SIGHUP's among them) run.
        #expect(eventually { daemon.logText.contains("new revision") }, "\(daemon.logText)")
        #expect(eventually { FileManager.default.fileExists(atPath: directory.file("control.sock")) })
        usleep(200_000)
        _ = try write(Self.crashing)
        daemon.signal(SIGHUP)
        #expect(eventually(15) { daemon.logText.contains("the TOML parser crashed") }, "\(daemon.logText)")
        #expect(daemon.process.isRunning, "\(daemon.logText)")
        let status = try run(cli, ["status", "--db", db, "--heartbeat-age", "1s", "--json"])
        #expect(status.stdout.contains("\"daemonAlive\" : true"), "\(status.stdout) \(status.stderr)")
        #expect(status.stdout.contains("\"liveStatus\" : \"configuration error"), "\(status.stdout)")
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(within: 15) == 0, "\(daemon.logText)")
    }

    @Test("A megabyte contact and a URL with CR/LF are refused at FILE:LINE: KEY")
    func boundedStrings() throws {
        let contact = String(repeating: "a", count: 100_000)
        let file = try write(
            """
            [daemon]
            contact = "\(contact)"

            [[source]]
            name = "news"
            kind = "feed"
            url = "https://example.org/feed\\r\\nX-Injected: 1"
            """)
        let result = try run(cli, ["config", "check", file])
        #expect(result.status == 1)
        #expect(
            result.stderr.contains("\(file):2: daemon.contact: is 100000 bytes long; at most 8192 are accepted"),
            "\(result.stderr)")
        #expect(
            result.stderr.contains("\(file):7: source[0].url: contains the control character U+000D"),
            "\(result.stderr)")
    }

    @Test("cache = a file that is not a tradewatch cache is refused; a real cache and a new path pass")
    func cachePath() throws {
        let notes = try write("my notes\n", to: "notes.txt")
        for (path, reason) in [
            ("/etc/passwd", "is not a tradewatch cache (the file is not an SQLite database)"),
            (notes, "is not a tradewatch cache"),
        ] {
            let file = try write("[daemon]\ncache = \"\(path)\"\n")
            let result = try run(cli, ["config", "check", file])
            #expect(result.status == 1, "\(path): \(result.stderr)")
            #expect(result.stderr.contains("\(file):2: daemon.cache: \"\(path)\" \(reason)"), "\(result.stderr)")
            #expect(try run(builtProduct("tradewatchd"), ["--config", file, "--once"]).status == 78)
        }
        #expect(try String(contentsOfFile: notes, encoding: .utf8) == "my notes\n")
        let cache = directory.file("real.db")
        _ = try SQLiteCache(path: cache)
        for path in [cache, directory.file("new.db")] {
            let file = try write("[daemon]\ncache = \"\(path)\"\n")
            let result = try run(cli, ["config", "check", file])
            #expect(result.status == 0, "\(path): \(result.stderr)")
        }
    }

    @Test("An argument that is not valid UTF-8 is refused with exit 2, not replaced")
    func invalidUTF8Argument() throws {
        // "caf\xE9.db" in Latin-1: Swift would read it as "caf\u{FFFD}.db", another file.
        let result = try runBytes(
            cli, [Array("status".utf8), Array("--db".utf8), Array("caf".utf8) + [0xE9] + Array(".db".utf8)])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("argument 3 is not valid UTF-8"), "\(result.stderr)")
        let daemon = try runBytes(
            builtProduct("tradewatchd"), [Array("--config".utf8), Array("caf".utf8) + [0xE9] + Array(".toml".utf8)])
        #expect(daemon.status != 0 && daemon.stderr.contains("not valid UTF-8"), "\(daemon.stderr)")
    }

    @Test("search with thousands of terms is refused at once, saying why")
    func searchBound() throws {
        let query = [String](repeating: "x", count: 30_000).joined(separator: " ")
        let result = try run(cli, ["search", query, "--db", directory.file("none.db")])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("at most 1024 are searched for"), "\(result.stderr)")
        let terms = (0..<100).map { "w\($0)" }.joined(separator: " ")
        let many = try run(cli, ["search", terms, "--db", directory.file("none.db")])
        #expect(many.status == 2)
        #expect(many.stderr.contains("the query has 100 terms; at most 64"), "\(many.stderr)")
    }

    /// Runs `executable` with arguments given as raw bytes (Foundation's Process takes only
    /// Strings, which are always valid UTF-8): through python3's os.execv.
    func runBytes(_ executable: String, _ arguments: [[UInt8]]) throws -> ProcessResult {
        let hex = arguments.map { $0.map { String(format: "%02x", $0) }.joined() }
        let script = """
            import os, sys
            args = [bytes.fromhex(h) for h in sys.argv[2:]]
            os.execv(sys.argv[1], [sys.argv[1].encode()] + args)
            """
        return try run("/usr/bin/env", ["python3", "-c", script, executable] + hex)
    }
}
