import Foundation
import TestSupport
import Testing
import TradeWatchCache
import TradeWatchModel

#if canImport(Glibc)
import Glibc
#endif

/// A publisher on 127.0.0.1 serving, from a directory the test rewrites between syncs, a JSON
/// Feed (`/feed`), an SDMX-JSON 2.0 message (`/sdmx/…`), a CSV table (`/csv`) and an error page
/// (`/error`, HTTP 500 text/plain): always 200 or 500 with the file's current bytes, no validators.
final class DirectoryPublisher: Sendable {
    let port: Int
    let root: String
    private let process: Process

    static let script = """
        import os, sys
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        ROOT = sys.argv[1]
        TYPES = {"feed": (200, "application/feed+json"), "sdmx": (200, "application/vnd.sdmx.data+json"),
                 "csv": (200, "text/csv"), "error": (500, "text/plain")}
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args):
                pass
            def do_GET(self):
                name = self.path.split("?")[0].strip("/").split("/")[0]
                status, kind = TYPES.get(name, (404, "text/plain"))
                try:
                    with open(os.path.join(ROOT, name), "rb") as f:
                        body = f.read()
                except OSError:
                    status, body = 404, b"no such file"
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print("PORT", server.server_address[1], flush=True)
        server.serve_forever()
        """

    init(root: String) throws {
        self.root = root
        let script = root + "/publisher.py"
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, root]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(10), let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty {
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            kill(process.processIdentifier, SIGKILL)
            throw FixtureError(message: "the directory publisher did not start: \(text)")
        }
        self.port = port
    }

    deinit {
        // SIGKILL: a child of the test runner may inherit a signal mask that blocks SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    func publish(_ name: String, _ body: Data) throws {
        try body.write(to: URL(fileURLWithPath: root + "/" + name), options: .atomic)
    }
}

@Suite("Publisher text never reaches the terminal raw")
struct TerminalEscapingTests {
    let cli = builtProduct("tradewatch")

    /// OSC window title, OSC 8 hyperlink, CSI clear screen, BEL, CR, BS, DEL, C1 CSI, a bidi
    /// override: everything that must show as an escape.
    static let hostile =
        "\u{1b}]0;owned\u{07}\u{1b}]8;;http://evil.example/\u{07}click\u{1b}]8;;\u{07}\u{1b}[2J\r\u{08}\u{7f}\u{9b}31m\u{202e}"
    /// A line break followed by what would pass for a line of output or of the log.
    static let forged = "\nFORGED line"

    static func feed(round: Int) throws -> Data {
        let verb = round == 1 ? "rise" : "surge"
        let item: [String: Any] = [
            "id": "urn:wig\u{1b}[2J\u{202e}:1",
            "url": "https://example.org/\u{1b}]8;;x\u{07}",
            "title": "Wig exports \(verb) \(hostile)\(forged)",
            "summary": "Wigs \(verb) \(hostile)\(forged)\tafter a tab",
            "tags": ["wigs\(hostile)"],
            "date_published": "2019-07-01T00:00:00Z",
        ]
        let document: [String: Any] = [
            "version": "https://jsonfeed.org/version/1.1", "title": "Border news\(hostile)", "items": [item],
        ]
        return try JSONSerialization.data(withJSONObject: document)
    }

    static let dimension = "CMD\u{1b}]0;dim\u{07}"
    static let dimensionValue = "67\u{1b}[2J04\u{202e}"
    static let unit = "USD\u{9b}31m\u{7f}"
    static let statuses = ["P\u{07}\u{08}", "A\u{1b}[5m\(forged)"]

    static func sdmx(round: Int) throws -> Data {
        let dimensions: [String: Any] = [
            "dataSet": [],
            "series": [
                ["id": "REPORTER", "keyPosition": 0, "values": [["id": "CN"]]],
                ["id": dimension, "keyPosition": 1, "values": [["id": dimensionValue]]],
            ],
            "observation": [["id": "TIME_PERIOD", "keyPosition": 2, "values": [["id": "2019-05"]]]],
        ]
        let attributes: [String: Any] = [
            "dataSet": [], "series": [["id": "UNIT_MEASURE", "values": [["id": unit]]]],
            "observation": [["id": "OBS_STATUS", "values": statuses.map { ["id": $0] }]],
        ]
        let observation: [Any] = round == 1 ? [1500, 0] : [1620, 1]
        let document: [String: Any] = [
            "meta": ["id": "T1", "prepared": "2019-08-01T00:00:00Z"],
            "data": [
                "structures": [["dimensions": dimensions, "attributes": attributes]],
                "dataSets": [
                    [
                        "structure": 0, "action": "Replace",
                        "series": ["0:0": ["attributes": [0], "observations": ["0": observation]]],
                    ]
                ],
            ],
        ]
        return try JSONSerialization.data(withJSONObject: document)
    }

    static func csv(round: Int) -> Data {
        let row = ["M", "67\u{1b}[2J04", "2019-05", round == 1 ? "10" : "12", "E\u{1b}[5m\u{07}", "kg\u{202e}"]
        return Data(("Flow;HS;Month;Value;Flag;Unit\n" + row.joined(separator: ";") + "\n").utf8)
    }

    /// The bytes a terminal acts on, as they appear in UTF-8 (tab and line feed aside): C0,
    /// DEL, C1 (C2 80–9F), and the bidi controls and line/paragraph separators.
    static func rawControls(_ text: String) -> [String] {
        var found: [String] = []
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x09, 0x0A: continue
            case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029:
                found.append(String(scalar.value, radix: 16))
            default: continue
            }
        }
        return found
    }

    /// Nothing raw on either stream, and no line that a value's line break started.
    func expectClean(_ result: ProcessResult, _ command: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for (name, text) in [("stdout", result.stdout), ("stderr", result.stderr)] {
            #expect(
                Self.rawControls(text).isEmpty, "\(command) \(name): \(Self.rawControls(text))",
                sourceLocation: sourceLocation)
            // (`diff --full` keeps a summary's line breaks, its further lines indented.)
            let forgedLines = text.split(separator: "\n").filter { $0.hasPrefix("FORGED") }
            #expect(forgedLines.isEmpty, "\(command) \(name) has a forged line", sourceLocation: sourceLocation)
        }
    }

    @Test("Every human-readable command and the daemon's --once lines and logs escape what the publisher sent")
    func everyCommand() async throws {
        let directory = TemporaryDirectory()
        let files = TemporaryDirectory()
        let publisher = try DirectoryPublisher(root: files.path)
        let db = directory.file("cache.db")
        let config = directory.file("tradewatch.toml")
        try """
        [daemon]
        cache = "\(db)"
        jitter = "0s"
        startup_spread = "0s"

        [[source]]
        name = "news"
        kind = "feed"
        url = "\(publisher.url("/feed"))"

        [[source]]
        name = "figures"
        kind = "sdmx"
        base_url = "\(publisher.url("/sdmx"))"
        flow = "TRADE"
        api = "3.0"
        format = "sdmx-json"

        [[source]]
        name = "customs"
        kind = "csv"
        url = "\(publisher.url("/csv"))"
        dataset = "CUSTOMS"
        delimiter = ";"
        dimensions = ["Flow", "HS"]
        period = "Month"
        value = "Value"
        flags = "Flag"
        unit = "Unit"

        [[source]]
        name = "broken"
        kind = "feed"
        url = "\(publisher.url("/error"))"

        """.write(toFile: config, atomically: true, encoding: .utf8)
        try publisher.publish("error", Data("quota exceeds \(Self.hostile)\(Self.forged)".utf8))

        let daemon = builtProduct("tradewatchd")
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "JOURNAL_STREAM")
        for round in 1...2 {
            try publisher.publish("feed", try Self.feed(round: round))
            try publisher.publish("sdmx", try Self.sdmx(round: round))
            try publisher.publish("csv", Self.csv(round: round))
            let once = try await runOffPool(daemon, ["--config", config, "--once"], environment: env)
            #expect(once.status == 1, "\(TerminalText.block(once.stdout + once.stderr))")
            #expect(once.stdout.contains("news: changed"), "\(TerminalText.block(once.stdout))")
            #expect(once.stdout.contains("figures: changed"), "\(TerminalText.block(once.stdout))")
            #expect(once.stdout.contains("customs: changed"), "\(TerminalText.block(once.stdout))")
            expectClean(once, "tradewatchd --once")
            // The error page's excerpt, on the source's line and in the log's warning.
            let failure = once.stdout.split(separator: "\n").first { $0.hasPrefix("broken: failed") } ?? ""
            #expect(failure.contains("quota exceeds \\x1b]0;owned\\x07"), "\(TerminalText.block(once.stdout))")
            #expect(once.stderr.contains("\\x1b]0;owned\\x07"), "\(TerminalText.block(once.stderr))")
        }

        let cache = try SQLiteCache(path: db, access: .readOnly)
        let articleKey = try #require(
            try cache.entries(at: try cache.resolve(.latest), sources: ["news"]).first?.entry.key)
        let figures = try cache.observations(at: try cache.resolve(.latest), filter: RowFilter(sources: ["figures"]))
        let series = try #require(figures.first?.series)
        #expect(series.contains(Self.dimensionValue))

        // Each command, and a visible escape it must show.
        let commands: [([String], String?)] = [
            (["search", "wig"], "Wig exports surge \\x1b]0;owned\\x07"),
            (["diff"], "\\u202e"),
            (["diff", "--full"], "Wigs rise \\x1b]0;owned\\x07\\x1b]8;;http://evil.example/\\x07click"),
            (["diff", "1..\(try cache.resolve(.latest))"], "\\x1b[2J"),
            (["history", articleKey, "--source", "news"], "Wig exports rise \\x1b]0;owned"),
            (["history", "\(series)@2019-05", "--source", "figures"], "USD\\x9b31m\\x7f"),
            (["show", "news"], "Wig exports surge \\x1b]0;owned"),
            (["show", "figures"], "USD\\x9b31m\\x7f"),
            (["show", "customs"], "kg\\u202e"),
            // The last error, cut to 60 characters: the escape that would cross the limit goes whole.
            (["status"], "HTTP 500: quota exceeds …"),
            (["status", "--check"], nil),
            (["log"], nil),
            (["sources"], nil),
            (["verify"], nil),
        ]
        for (arguments, visible) in commands {
            let result = try run(cli, arguments + ["--db", db])
            let command = arguments.joined(separator: " ")
            #expect(
                result.status == 0 || arguments.first == "status", "\(command): \(TerminalText.block(result.stderr))")
            expectClean(result, command)
            if let visible {
                #expect(result.stdout.contains(visible), "\(command):\n\(TerminalText.block(result.stdout))")
            }
        }
        let full = try run(cli, ["diff", "--full", "--db", db])
        #expect(full.stdout.contains("\\u202e\n    FORGED line\tafter a tab"), "\(TerminalText.block(full.stdout))")
        // An argument quoting hostile text comes back escaped in the error line.
        let missing = try run(cli, ["history", "nothing\u{1b}[2J", "--db", db])
        #expect(missing.status == 1)
        expectClean(missing, "history (missing)")
        #expect(missing.stderr.contains("nothing\\x1b[2J"))

        // --json keeps the exact strings; CSV keeps the bytes, quoted per RFC 4180.
        let shown = try run(cli, ["show", "news", "--json", "--db", db])
        let document = try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any]
        let article = try #require((document?["entries"] as? [[String: Any]])?.first)
        #expect(article["title"] as? String == "Wig exports surge \(Self.hostile)\(Self.forged)")
        #expect(article["categories"] as? [String] == ["wigs\(Self.hostile)"])
        let diff = try run(cli, ["diff", "--json", "--db", db])
        let diffs = (try JSONSerialization.jsonObject(with: Data(diff.stdout.utf8)) as? [String: Any])?["diffs"]
        let changed = (diffs as? [[String: Any]] ?? []).flatMap { $0["entries"] as? [[String: Any]] ?? [] }
        #expect(changed.first?["oldTitle"] as? String == "Wig exports rise \(Self.hostile)\(Self.forged)")
        let figureJSON = try run(cli, ["show", "figures", "--json", "--db", db])
        let observation =
            ((try JSONSerialization.jsonObject(with: Data(figureJSON.stdout.utf8)) as? [String: Any])?[
                "observations"] as? [[String: Any]])?.first
        #expect(observation?["unit"] as? String == Self.unit)
        #expect(observation?["status"] as? String == Self.statuses[1])
        let csv = try run(cli, ["show", "news", "--format", "csv", "--db", db])
        #expect(csv.stdout.contains("\"Wig exports surge \(Self.hostile)\(Self.forged)\""))
        let figureCSV = try run(cli, ["show", "figures", "--format", "csv", "--db", db])
        #expect(figureCSV.stdout.contains(Self.unit))
        #expect(figureCSV.stdout.contains("\"\(Self.statuses[1])\""))
    }
}
