import Foundation
import TestSupport
import Testing

/// A key a server echoes back, percent-encoded or in base64, in an error body or in the
/// payload itself, shows nowhere: not in `--once` output or the log, not in the cache's
/// tables, not in `status --json`; the kept payload has it replaced and says so.
@Suite("Secrets echoed back by a server are redacted everywhere", .serialized)
struct SecretsTests {
    let directory = TemporaryDirectory()
    let server: FixtureServer
    /// With `+`, `/` and `=`: its percent-encoded forms differ from it.
    static let key = "SeKr1tKEYab+/Cd=Ef"

    init() throws {
        server = try FixtureServer()
    }

    /// Every form of the key a server might echo.
    static let forms = [
        key, "SeKr1tKEYab%2B/Cd%3DEf", "SeKr1tKEYab%2B%2FCd%3DEf", "SeKr1tKEYab%2b%2fCd%3dEf",
        Data(key.utf8).base64EncodedString(),
        Data(key.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: ""),
    ]

    static func leaks(_ text: String) -> [String] { forms.filter { text.contains($0) } }

    @Test("An error body and a 200 payload that quote the key: --once, the log, the cache, status --json")
    func echoedKey() throws {
        let db = directory.file("cache.db")
        let config = directory.file("tradewatch.toml")
        var text = "[daemon]\ncache = \"\(db)\"\nstartup_spread = \"0s\"\n"
        for (name, status) in [("refused", 401), ("echoing", 200)] {
            text += """

                [[source]]
                name = "\(name)"
                kind = "comtrade"
                base_url = "\(server.url("/echo/\(status)"))"
                reporter = 156
                period = "201906"
                key_env = "TRADEWATCH_TEST_KEY"

                """
        }
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["TRADEWATCH_TEST_KEY"] = Self.key
        let once = try run(
            builtProduct("tradewatchd"), ["--config", config, "--once", "--log-level", "debug"],
            environment: environment)
        #expect(once.stdout.contains("refused: failed — http-status"), "\(once.stdout)")
        #expect(once.stdout.contains("invalid subscription key ***"), "\(once.stdout)")
        #expect(Self.leaks(once.stdout).isEmpty, "\(once.stdout)")
        #expect(Self.leaks(once.stderr).isEmpty, "\(once.stderr)")

        let status = try run(builtProduct("tradewatch"), ["status", "--db", db, "--json"])
        #expect(status.stdout.contains("invalid subscription key"), "\(status.stdout)")
        #expect(Self.leaks(status.stdout).isEmpty, "\(status.stdout)")

        // Every text and blob in the cache, payloads decompressed.
        let dump = try run(
            "/usr/bin/env",
            [
                "python3", "-c",
                """
                import sqlite3, sys, zlib
                db = sqlite3.connect(sys.argv[1])
                for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
                    for row in db.execute(f'SELECT * FROM "{table}"'):
                        for cell in row:
                            if isinstance(cell, bytes):
                                try: cell = zlib.decompress(cell, 47)
                                except Exception: pass
                                cell = cell.decode("utf-8", "replace")
                            print(table, cell)
                print("redacted payloads:", db.execute("SELECT count(*) FROM payload WHERE redacted = 1").fetchone()[0])
                """,
                db,
            ])
        #expect(dump.status == 0, "\(dump.stderr)")
        #expect(dump.stdout.contains("invalid subscription key ***"), "\(dump.stdout)")
        #expect(dump.stdout.contains("\"echo\": \"*** *** ***"), "\(dump.stdout)")
        #expect(dump.stdout.contains("redacted payloads: 1"), "\(dump.stdout)")
        #expect(Self.leaks(dump.stdout).isEmpty, "\(Self.leaks(dump.stdout))")
    }
}
