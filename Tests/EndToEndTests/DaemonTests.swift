import Foundation
import TestSupport
import Testing
import TradeWatchCache

#if canImport(Glibc)
import Glibc
#endif

/// A datagram socket standing in for systemd's notification socket.
final class NotifyListener {
    let path: String
    private let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else { throw FixtureError(message: "cannot bind \(path)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// Messages received until `until` returns true for the list so far, or the deadline.
    func receive(for seconds: Double, until done: ([String]) -> Bool = { _ in false }) -> [String] {
        var messages: [String] = []
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline && !done(messages) {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 { messages.append(String(decoding: buffer[..<count], as: UTF8.self)) }
        }
        return messages
    }
}

/// `tradewatchd` running in the background, killed if a test leaves it running.
final class DaemonProcess {
    let process = Process()
    let log: String

    init(config: String, directory: TemporaryDirectory, environment: [String: String] = [:]) throws {
        log = directory.file("daemon.log")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: builtProduct("tradewatchd"))
        process.arguments = ["--config", config]
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "JOURNAL_STREAM")
        env.merge(environment) { _, new in new }
        process.environment = env
        process.standardError = FileHandle(forWritingAtPath: log)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the exit; nil when it did not come within `seconds`.
    func waitForExit(within seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
}

/// Waits until `condition` holds or `seconds` pass.
func eventually(_ seconds: Double = 30, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(50_000)
    }
    return try condition()
}

@Suite("tradewatchd under a supervisor: notify, signals, reload, control socket, --once", .serialized)
struct DaemonTests {
    let directory = TemporaryDirectory()
    let publisher: Publisher

    init() throws {
        publisher = try Publisher()
    }

    func writeConfig(_ sources: [(name: String, path: String)], extra: String = "") throws -> String {
        try daemonConfig(in: directory, publisher: publisher, sources: sources, extra: extra)
    }

    /// The sources the daemon has attempted so far; empty until it has created the cache.
    func sourceNames() -> Set<String> {
        guard let cache = try? SQLiteCache(path: directory.file("cache.db"), access: .readOnly),
            let status = try? cache.status()
        else { return [] }
        return Set(status.filter { $0.lastAttempt != nil }.map(\.name))
    }

    @Test("READY, STATUS and WATCHDOG while running, STOPPING on SIGTERM, then exit 0")
    func notifyProtocol() throws {
        let config = try writeConfig([("news", "/feeds/korea-trade.rss")])
        let listener = try NotifyListener(path: directory.file("notify.sock"))
        let daemon = try DaemonProcess(
            config: config, directory: directory,
            environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "400000"])
        let running = listener.receive(for: 10) { messages in
            messages.filter { $0 == "WATCHDOG=1" }.count >= 3 && messages.contains { $0.contains("1 source;") }
        }
        daemon.signal(SIGTERM)
        let stopping = listener.receive(for: 5) { $0.contains { $0.hasPrefix("STOPPING=1") } }
        #expect(daemon.waitForExit(within: 15) == 0, "\(daemon.logText)")
        let all = running + stopping
        let ready = try #require(all.firstIndex { $0.hasPrefix("READY=1") }, "\(all)")
        #expect(all[ready].contains("STATUS=1 source"))
        #expect(all.firstIndex { $0 == "WATCHDOG=1" }.map { $0 > ready } == true)
        #expect(all.filter { $0 == "WATCHDOG=1" }.count >= 3)
        #expect(all.contains { $0.hasPrefix("STATUS=1 source; next sync in 1h") }, "\(all)")
        #expect(all.last?.hasPrefix("STOPPING=1") == true, "\(all)")
        let heartbeat = try SQLiteCache(path: directory.file("cache.db"), access: .readOnly).heartbeat()
        #expect(heartbeat?.stoppedAt != nil)
    }

    @Test("SIGHUP adds a source without a restart; a broken file keeps the old configuration and says why")
    func reload() throws {
        let config = try writeConfig([("news", "/feeds/korea-trade.rss")])
        let listener = try NotifyListener(path: directory.file("notify.sock"))
        let daemon = try DaemonProcess(
            config: config, directory: directory, environment: ["NOTIFY_SOCKET": listener.path])
        #expect(eventually { sourceNames() == ["news"] })

        _ = try writeConfig([("news", "/feeds/korea-trade.rss"), ("border", "/feeds/border-news.atom")])
        daemon.signal(SIGHUP)
        #expect(eventually { sourceNames() == ["news", "border"] }, "\(daemon.logText)")

        try "[daemon\ninterval = ".write(toFile: config, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        let messages = listener.receive(for: 5) { $0.contains { $0.contains("configuration error") } }
        #expect(messages.contains { $0.contains("STATUS=configuration error (previous configuration in use)") })
        #expect(daemon.process.isRunning)
        #expect(daemon.logText.contains("configuration not reloaded"))
        #expect(daemon.logText.contains("tradewatch.toml:1"))
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(within: 15) == 0)
    }

    @Test("A SIGHUP that comes before the daemon listens for it is not fatal; a later one still reloads")
    func earlyReload() throws {
        // The configuration comes through a FIFO, so the daemon is held inside its start-up,
        // reading it, for as long as the test likes: the SIGHUPs are sent exactly then.
        let text = try String(contentsOfFile: try writeConfig([("news", "/feeds/korea-trade.rss")]), encoding: .utf8)
        let fifo = directory.file("held.toml")
        #expect(mkfifo(fifo, 0o600) == 0)
        let daemon = try DaemonProcess(config: fifo, directory: directory)
        var writer: Int32 = -1
        #expect(
            eventually(30) {
                writer = open(fifo, O_WRONLY | O_NONBLOCK)  // succeeds once the daemon opened it to read
                return writer >= 0
            })
        for _ in 0..<5 { daemon.signal(SIGHUP) }
        usleep(200_000)
        // Written only to a living reader: a FIFO without one would raise SIGPIPE here.
        let survived = daemon.process.isRunning
        if survived { _ = text.withCString { write(writer, $0, strlen($0)) } }
        close(writer)
        #expect(survived, "killed by an early SIGHUP: \(daemon.logText)")
        guard survived else { return }
        #expect(eventually(30) { daemon.logText.contains("source=news") }, "\(daemon.logText)")
        #expect(daemon.process.isRunning, "killed by an early SIGHUP: \(daemon.logText)")
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(within: 15) == 0, "\(daemon.logText)")
    }

    @Test("SIGTERM during a slow fetch stops within seconds, leaves a sound cache and no false failure")
    func stopDuringFetch() throws {
        let config = try writeConfig([("slow", "/hostile/slow"), ("news", "/feeds/korea-trade.rss")])
        let daemon = try DaemonProcess(config: config, directory: directory)
        #expect(eventually { sourceNames().contains("news") })
        usleep(300_000)  // the slow transfer is trickling now
        let stop = Date()
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(within: 15) == 0, "\(daemon.logText)")
        #expect(Date().timeIntervalSince(stop) < 15)
        let cache = try SQLiteCache(path: directory.file("cache.db"), access: .readOnly)
        #expect(try cache.verify().passed)
        #expect(try cache.status().first { $0.name == "slow" }?.consecutiveFailures ?? 0 == 0)
    }

    @Test("tradewatch sync asks the running daemon; without one it says so and suggests --once")
    func controlSocket() throws {
        let config = try writeConfig([("news", "/feeds/korea-trade.rss"), ("border", "/feeds/border-news.atom")])
        let cli = builtProduct("tradewatch")
        let db = directory.file("cache.db")

        let absent = try run(cli, ["sync", "--socket", directory.file("control.sock")])
        #expect(absent.status == 3)
        #expect(absent.stderr.contains("tradewatchd --once"))

        let daemon = try DaemonProcess(config: config, directory: directory)
        #expect(eventually { sourceNames() == ["news", "border"] })
        #expect(eventually { FileManager.default.fileExists(atPath: directory.file("control.sock")) })
        try await_publisherAdvance()
        let synced = try run(cli, ["sync", "news", "--wait", "--db", db])
        #expect(synced.status == 0, "\(synced.stderr)")
        #expect(synced.stdout.hasPrefix("news: changed — revision"), "\(synced.stdout)")

        // Every source at once: outcomes that arrive while another is awaited are not lost.
        let all = try run(cli, ["sync", "--wait", "--timeout", "30s", "--db", db])
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.stdout.contains("news: ") && all.stdout.contains("border: "), "\(all.stdout)")

        // status asks the daemon itself for its current line.
        let status = try run(cli, ["status", "--db", db, "--heartbeat-age", "1s", "--json"])
        #expect(status.stdout.contains("\"liveStatus\" : \"2 sources; next sync in "), "\(status.stdout)")
        #expect(status.stdout.contains("\"daemonAlive\" : true"))

        let unknown = try run(cli, ["sync", "nope", "--db", db])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no source named nope"))

        let queued = try run(cli, ["sync", "--db", db, "--json"])
        #expect(queued.status == 0)
        #expect(queued.stdout.contains("\"queued\""))
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(within: 15) == 0)
        #expect(!FileManager.default.fileExists(atPath: directory.file("control.sock")))
    }

    @Test("A restart resumes where the daemon stopped: nothing re-fetched early, no revision re-created")
    func restartResumes() throws {
        var text = try String(contentsOfFile: try writeConfig([("news", "/feeds/korea-trade.rss")]), encoding: .utf8)
        text += """

            [[source]]
            name = "figures"
            kind = "sdmx"
            base_url = "\(publisher.url("/sdmx"))"
            flow = "TRADE_CN_KP"
            incremental = true

            [[source]]
            name = "customs"
            kind = "comtrade"
            base_url = "\(publisher.url("/comtrade"))"
            reporter = 156
            partner = 408
            period = "2019-01..2019-12"
            preview = true

            """
        let config = directory.file("tradewatch.toml")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let db = directory.file("cache.db")
        let cli = builtProduct("tradewatch")

        let first = try DaemonProcess(config: config, directory: directory)
        #expect(eventually { sourceNames() == ["news", "figures", "customs"] })
        first.signal(SIGTERM)
        #expect(first.waitForExit(within: 15) == 0)
        let cache = try SQLiteCache(path: db, access: .readOnly)
        let revisions = try cache.log().count
        let fetches = try cache.status().compactMap(\.lastAttempt)
        // One revision of figures or articles per source (the structure and reference lists
        // that name their codes come in revisions of their own).
        #expect(try cache.log().filter { $0.added + $0.changed + $0.removed > 0 }.count == 3)

        let second = try DaemonProcess(config: config, directory: directory)
        #expect(eventually { FileManager.default.fileExists(atPath: directory.file("control.sock")) })
        usleep(1_000_000)
        // Due in an hour: the restart fetched nothing.
        #expect(try cache.status().compactMap(\.lastAttempt) == fetches)
        let again = try run(cli, ["sync", "--wait", "--db", db])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(!again.stdout.contains(": changed"), "\(again.stdout)")
        #expect(try cache.log().count == revisions)

        try await_publisherAdvance()
        let next = try run(cli, ["sync", "--wait", "--db", db])
        #expect(next.stdout.split(separator: "\n").filter { $0.contains(": changed") }.count == 3, "\(next.stdout)")
        #expect(try cache.verify().passed)
        second.signal(SIGTERM)
        #expect(second.waitForExit(within: 15) == 0)
    }

    @Test("Across a publication round, every change shows in log, diff and history")
    func roundInTheCLI() throws {
        var text = try String(contentsOfFile: try writeConfig([("news", "/feeds/border-news.atom")]), encoding: .utf8)
        text += """

            [[source]]
            name = "customs"
            kind = "csv"
            url = "\(publisher.url("/csv/cn-kp-trade.csv"))"
            dataset = "CUSTOMS"
            delimiter = ";"
            decimal = ","
            dimensions = ["Flow", "HS"]
            period = "Month"
            value = "Value"
            flags = "Flag"

            """
        let config = directory.file("tradewatch.toml")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let db = directory.file("cache.db")
        let cli = builtProduct("tradewatch")
        #expect(try run(builtProduct("tradewatchd"), ["--config", config, "--once"]).status == 0)
        try await_publisherAdvance()
        #expect(try run(builtProduct("tradewatchd"), ["--config", config, "--once"]).status == 0)

        let log = try run(cli, ["log", "--db", db, "--format", "csv"])
        #expect(log.stdout.split(separator: "\n").filter { $0.contains(",customs,") }.count == 2, "\(log.stdout)")
        #expect(log.stdout.split(separator: "\n").filter { $0.contains(",news,") }.count == 2, "\(log.stdout)")

        let figures = try run(cli, ["diff", "--db", db, "--source", "customs", "--format", "csv"])
        let rows = figures.stdout.split(separator: "\n").dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false)
        }
        #expect(rows.contains { $0[2] == "added" && $0[10] == "P" }, "new provisional months")
        #expect(rows.contains { $0[2] == "changed" && $0[9] == "P" && $0[10] == "A" }, "P → A")
        #expect(rows.contains { $0[2] == "removed" }, "a withdrawn row")
        let finalised = try #require(rows.first { $0[2] == "changed" && $0[9] == "P" && $0[10] == "A" })
        let history = try run(cli, ["history", "\(finalised[5])@\(finalised[6])", "--db", db, "--json"])
        #expect(history.status == 0)
        #expect(history.stdout.components(separatedBy: "\"fromRevision\"").count - 1 == 2, "\(history.stdout)")

        let articles = try run(cli, ["diff", "--db", db, "--source", "news", "--json"])
        let articleDiffs =
            (try JSONSerialization.jsonObject(with: Data(articles.stdout.utf8)) as? [String: Any])?["diffs"]
            as? [[String: Any]] ?? []
        let kinds = Set(
            articleDiffs.flatMap { $0["entries"] as? [[String: Any]] ?? [] }.compactMap { $0["kind"] as? String })
        #expect(kinds == ["added", "removed", "changed"], "\(articles.stdout)")
        #expect(articles.stdout.contains("(updated)"))
    }

    /// Publishes a round from a synchronous test.
    func await_publisherAdvance() throws {
        let result = try run(
            "/usr/bin/env",
            [
                "python3", "-c",
                "import urllib.request;urllib.request.urlopen('\(publisher.url("/_admin/advance"))').read()",
            ])
        guard result.status == 0 else { throw FixtureError(message: result.stderr) }
    }

    @Test("--once: a line per source, exit 0 when all succeed and 1 when one fails; journald priorities")
    func once() throws {
        let good = try writeConfig([("news", "/feeds/korea-trade.rss"), ("border", "/feeds/border-news.atom")])
        let daemon = builtProduct("tradewatchd")
        var environment = ProcessInfo.processInfo.environment
        environment["JOURNAL_STREAM"] = "8:1234"
        let ok = try run(daemon, ["--config", good, "--once"], environment: environment)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("news: changed — revision"))
        #expect(ok.stdout.contains("2 source(s) synced, 0 failed"))
        #expect(ok.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("<") }, "\(ok.stderr)")
        #expect(ok.stderr.contains("<6>info new revision"))

        let bad = try writeConfig([("news", "/feeds/korea-trade.rss"), ("login", "/hostile/html")])
        let failed = try run(daemon, ["--config", bad, "--once"], environment: environment)
        #expect(failed.status == 1)
        #expect(failed.stdout.contains("news: not-modified"))
        #expect(failed.stdout.contains("login: failed — not-a-feed"))
        #expect(failed.stderr.contains("<4>warning sync failed"))

        let only = try run(daemon, ["--config", bad, "--once", "--source", "news"])
        #expect(only.status == 0)
        #expect(!only.stdout.contains("login"))

        try "[daemon]\nintervl = \"1h\"\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let broken = try run(daemon, ["--config", bad, "--once"])
        #expect(broken.status == 78)
        #expect(broken.stderr.contains("tradewatch.toml:2: daemon.intervl: unknown key"))
    }
}
