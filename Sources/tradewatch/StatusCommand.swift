import ArgumentParser
import Foundation
import TradeWatchCache
import TradeWatchDaemon
import TradeWatchModel
import TradeWatchSync

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Is the daemon alive, and how is each source doing?",
        discussion: """
            With --check, one Nagios-style line and the exit code: 0 every source fresh, 1 some source \
            stale or failing, 2 the daemon down or the cache unreadable.
            """)

    @OptionGroup var cache: CacheOptions

    @Flag(help: "Monitoring mode: one line and a meaningful exit code.")
    var check = false

    @Option(help: "With --check, a source whose last success is older than this is stale (e.g. 2d).")
    var maxAge: String = "2d"

    @Option(help: "The daemon counts as down when its heartbeat is older than this.")
    var heartbeatAge: String = "5m"

    @Flag(help: "Print one JSON document.")
    var json = false

    func validate() throws {
        for (name, value) in [("--max-age", maxAge), ("--heartbeat-age", heartbeatAge)]
        where DurationText.parse(value) == nil {
            throw ValidationError("\(name): '\(value)' is not a duration like 30m or 2d")
        }
    }

    func run() async throws {
        let now = Date()
        var report: StatusReport
        do {
            let db = try cache.open()
            let heartbeat = try db.heartbeat()
            var live: String?
            // The daemon's own word, when it listens: fresher than the heartbeat it writes.
            if let socket = heartbeat?.controlSocket, heartbeat?.stoppedAt == nil,
                let reply = try? ControlClient.send(ControlRequest(command: .status), to: socket, timeout: .seconds(2))
            {
                live = reply.status
            }
            report = StatusReport(
                heartbeat: heartbeat, liveStatus: live, sources: try db.status(), now: now,
                heartbeatLimit: seconds(heartbeatAge), maxAge: seconds(maxAge))
            report.cacheDamage = db.recordedDamage()
        } catch {
            if check {
                Terminal.print(TerminalText.line("TRADEWATCH CRITICAL - cache unreadable: \(error)"))
                throw CommandFailure(message: "", exitCode: 2)
            }
            throw error
        }
        if check {
            Terminal.print(TerminalText.line(report.checkLine))
            if report.checkCode != 0 { throw CommandFailure(message: "", exitCode: report.checkCode) }
            return
        }
        if json {
            try Terminal.printJSON(report)
            return
        }
        Terminal.print(TerminalText.line(report.daemonLine))
        if let damage = report.cacheDamage { Terminal.print(TerminalText.line(StatusReport.damageLine(damage))) }
        var table = Table([
            ("SOURCE", .left), ("KIND", .left), ("LAST SUCCESS", .right), ("LAST ATTEMPT", .left), ("NEXT", .right),
            ("FAILS", .right), ("ROWS", .right), ("REVS", .right), ("LAST ERROR", .left),
        ])
        for source in report.sources {
            table.add([
                source.name, source.kind, source.lastSuccess.map { Human.relative($0, now: now) } ?? "never",
                source.lastOutcome ?? "", source.nextDue.map { Human.relative($0, now: now) } ?? "",
                String(source.consecutiveFailures), Human.count(source.observations + source.entries),
                Human.count(source.revisions),
                source.lastErrorCode.map { TerminalText.line("\($0): \(source.lastErrorMessage ?? "")", limit: 60) }
                    ?? "",
            ])
        }
        Terminal.print(report.sources.isEmpty ? "no sources yet" : table.render())
        // What the last pull of a source noticed without failing (keys a message repeats…).
        for source in report.sources {
            guard let first = source.lastWarnings.first else { continue }
            let more = source.lastWarnings.count > 1 ? " (and \(source.lastWarnings.count - 1) more)" : ""
            Terminal.print(TerminalText.line("warning: \(source.name): \(first)", limit: 300) + more)
        }
    }

    private func seconds(_ text: String) -> TimeInterval {
        Double(DurationText.parse(text)?.components.seconds ?? 0)
    }
}

/// `status --json`. Field names are part of tradewatch's interface (see the README).
struct StatusReport: Encodable {
    var daemonAlive: Bool
    var heartbeat: DaemonHeartbeat?
    /// The status line the daemon gave over its control socket just now, when it answered.
    var liveStatus: String?
    var sources: [SourceStatus]
    var stale: [String]
    var failing: [String]
    /// Set when the daemon's integrity check found the cache damaged (it stops writing).
    var cacheDamage: CacheDamage?

    init(
        heartbeat: DaemonHeartbeat?, liveStatus: String? = nil, sources: [SourceStatus], now: Date,
        heartbeatLimit: TimeInterval, maxAge: TimeInterval
    ) {
        self.heartbeat = heartbeat
        self.liveStatus = liveStatus
        self.sources = sources
        daemonAlive =
            liveStatus != nil
            || (heartbeat.map { $0.stoppedAt == nil && now.timeIntervalSince($0.heartbeatAt) <= heartbeatLimit }
                ?? false)
        failing = sources.filter { $0.consecutiveFailures > 0 }.map(\.name)
        stale = sources.filter { source in
            guard let success = source.lastSuccess else { return true }
            return now.timeIntervalSince(success) > maxAge
        }.map(\.name)
    }

    var daemonLine: String {
        guard let heartbeat else { return "daemon: never started on this cache" }
        if let stopped = heartbeat.stoppedAt {
            return "daemon: stopped (pid \(heartbeat.pid) stopped cleanly \(Human.relative(stopped)))"
        }
        let state = daemonAlive ? "running" : "DOWN"
        return "daemon: \(state) (pid \(heartbeat.pid), version \(heartbeat.version), last heartbeat "
            + "\(Human.relative(heartbeat.heartbeatAt)))" + ((liveStatus ?? heartbeat.status).map { " — \($0)" } ?? "")
    }

    var checkCode: Int32 {
        if !daemonAlive { return 2 }
        return stale.isEmpty && failing.isEmpty && cacheDamage == nil ? 0 : 1
    }

    static func damageLine(_ damage: CacheDamage) -> String {
        "cache DAMAGED since \(Human.relative(damage.detectedAt)), the daemon stopped writing "
            + "(\(damage.problems.first ?? "quick_check failed")); to recover: \(CacheDamage.recovery)"
    }

    var checkLine: String {
        switch checkCode {
        case 2: return "TRADEWATCH CRITICAL - daemon down (\(daemonLine))"
        case 1:
            var problems: [String] = []
            if let cacheDamage { problems.append(Self.damageLine(cacheDamage)) }
            if !failing.isEmpty { problems.append("failing: " + failing.joined(separator: ", ")) }
            if !stale.isEmpty { problems.append("stale: " + stale.joined(separator: ", ")) }
            return "TRADEWATCH WARNING - \(sources.count) sources; " + problems.joined(separator: "; ")
        default: return "TRADEWATCH OK - \(sources.count) sources fresh"
        }
    }
}
