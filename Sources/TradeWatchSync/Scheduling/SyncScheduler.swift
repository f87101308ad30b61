import Foundation
public import Logging
public import ServiceLifecycle
import TradeWatchCache
import TradeWatchModel

/// The daemon's main loop: starts each source's sync when it is due, keeps the service manager
/// (systemd) and the cache's heartbeat informed, takes new configurations and sync requests,
/// and sleeps in between — nothing wakes it but the next due time, the watchdog and the
/// heartbeat.
public actor SyncScheduler: Service {
    public enum RequestError: Error, CustomStringConvertible {
        case unknownSources([String])
        case shuttingDown
        case cacheDamaged

        public var description: String {
            switch self {
            case .unknownSources(let names): "no source named \(names.joined(separator: ", ")) in the configuration"
            case .shuttingDown: "the daemon is shutting down"
            case .cacheDamaged: "the cache is damaged and the daemon stopped writing to it; see `tradewatch status`"
            }
        }
    }

    private var configuration: Configuration
    private let engine: SyncEngine
    private let notifier: any ServiceManagerNotifier
    private let logger: Logger
    private let startedAt = Date()
    private let pid = getpid()
    private let controlSocket: String?
    /// How often the heartbeat is written when no watchdog asks for more.
    private let heartbeatInterval: Duration
    private let clock: any SchedulerClock

    private var table = DueTable()
    private var running: Set<String> = []
    private var failing: Set<String> = []
    private var waiters: [String: [OutcomeWaiter]] = [:]
    private var configurationProblem: String?
    private var stopping = false
    private var sleeper: Task<Void, Never>?
    private var wakePending = false
    private var lastStatus = ""

    public init(
        configuration: Configuration, engine: SyncEngine, notifier: any ServiceManagerNotifier, logger: Logger,
        controlSocket: String?, heartbeatInterval: Duration = .seconds(60),
        clock: any SchedulerClock = SystemSchedulerClock()
    ) {
        self.clock = clock
        self.configuration = configuration
        self.engine = engine
        self.notifier = notifier
        self.logger = logger
        self.controlSocket = controlSocket
        self.heartbeatInterval = heartbeatInterval
    }

    private var cache: any CacheStore { engine.cache }

    public func run() async throws {
        try await loadDueTimes()
        failing = Set(((try? cache.status()) ?? []).filter { $0.consecutiveFailures > 0 }.map(\.name))
        notifier.ready(status: statusLine(now: clock.now))
        logger.info(
            "ready",
            metadata: ["sources": "\(configuration.sources.count)", "cache": "\(cache.location)"])
        let window = configuration.daemon.maxConcurrent * 4
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                var lastBeat = ContinuousClock.now - .seconds(3600)
                var lastPing = ContinuousClock.now - .seconds(3600)
                var beatPending = false
                // Stops on graceful shutdown, and on cancellation too (a ServiceGroup cancels a
                // service that outlives its shutdown grace period): no loop that cannot stop.
                while !stopping && !Task.isCancelled {
                    let now = clock.now
                    // A damaged cache takes no more syncs: their writes would spread the damage. The
                    // heartbeat, one row, goes on, so that `status` tells damaged from down.
                    let damaged = cache.health.damage != nil
                    for name in table.dueSources(at: now, excluding: running)
                    where running.count < window && !damaged {
                        guard let source = configuration.source(named: name) else { continue }
                        running.insert(name)
                        let daemon = configuration.daemon
                        let engine = engine
                        group.addTask {
                            let outcome = await engine.sync(source, daemon: daemon)
                            await self.finished(outcome)
                        }
                    }
                    let clockNow = ContinuousClock.now
                    if let interval = notifier.watchdogInterval, clockNow - lastPing >= interval / 2 {
                        notifier.watchdog()
                        lastPing = clockNow
                    }
                    let status = statusLine(now: now)
                    let changed = status != lastStatus
                    if changed {
                        notifier.status(status)
                        lastStatus = status
                    }
                    // The heartbeat carries the status too: written when it changes (at most
                    // every few seconds) and at least every `heartbeatInterval`.
                    let sinceBeat = clockNow - lastBeat
                    if changed { beatPending = true }
                    if sinceBeat >= heartbeatInterval || (beatPending && sinceBeat >= .seconds(2)) {
                        beat(status: status)
                        lastBeat = clockNow
                        beatPending = false
                    }
                    var wake = now.addingTimeInterval(SchedulePolicy.seconds(heartbeatInterval))
                    if beatPending {
                        // A status change not yet written: write it once the minimum gap has passed.
                        wake = min(wake, now.addingTimeInterval(SchedulePolicy.seconds(.seconds(2) - sinceBeat)))
                    }
                    if let next = table.next(excluding: running), running.count < window, !damaged {
                        wake = min(wake, next)
                    }
                    if let interval = notifier.watchdogInterval {
                        let ping = now.addingTimeInterval(SchedulePolicy.seconds(interval / 2 - (clockNow - lastPing)))
                        wake = min(wake, ping)
                    }
                    await sleep(until: wake)
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            Task { await self.beginShutdown() }
        }
        for (name, list) in waiters {
            for waiter in list { waiter.fulfil(Self.abortedOutcome(name: name, now: Date())) }
        }
        waiters = [:]
        try? cache.daemonState.markStopped(pid: pid)
        logger.info("stopped")
    }

    /// Takes a newly read configuration (SIGHUP): sources added become due now, removed ones
    /// stop being scheduled, changed ones keep their due time.
    public func apply(_ newConfiguration: Configuration) {
        let before = Set(configuration.sources.map(\.name))
        configuration = newConfiguration
        configurationProblem = nil
        table.reconcile(names: newConfiguration.sources.map(\.name), now: clock.now)
        failing = failing.intersection(newConfiguration.sources.map(\.name))
        let after = Set(newConfiguration.sources.map(\.name))
        logger.info(
            "configuration reloaded",
            metadata: [
                "sources": "\(after.count)", "added": "\(after.subtracting(before).sorted().joined(separator: ","))",
                "removed": "\(before.subtracting(after).sorted().joined(separator: ","))",
            ])
        wake()
    }

    /// Keeps the running configuration after a failed reload, and says why in STATUS.
    public func rejectReload(_ problem: String) {
        configurationProblem = problem
        logger.error("configuration not reloaded; the previous one stays in use: \(problem)")
        lastStatus = ""
        wake()
    }

    /// Makes sources due now (all when `names` is empty). With `wait`, returns when each has
    /// finished one sync.
    public func requestSync(_ names: [String], wait: Bool) async throws -> [SyncOutcome] {
        guard !stopping else { throw RequestError.shuttingDown }
        guard cache.health.damage == nil else { throw RequestError.cacheDamaged }
        let known = Set(configuration.sources.map(\.name))
        let unknown = names.filter { !known.contains($0) }
        guard unknown.isEmpty else { throw RequestError.unknownSources(unknown) }
        let selected = names.isEmpty ? configuration.sources.map(\.name) : names
        let now = clock.now
        for name in selected where !running.contains(name) { table[name] = now }
        logger.info("sync requested", metadata: ["sources": "\(selected.joined(separator: ","))"])
        wake()
        guard wait else { return [] }
        // Every waiter is registered before the first suspension, so a source that finishes
        // while another is awaited still delivers its outcome.
        let pending = selected.map { name in
            let waiter = OutcomeWaiter()
            waiters[name, default: []].append(waiter)
            return waiter
        }
        var outcomes: [SyncOutcome] = []
        for waiter in pending { outcomes.append(await waiter.outcome()) }
        return outcomes
    }

    public var sourceNames: [String] { configuration.sources.map(\.name) }

    /// Told by the integrity check that the cache is damaged: STATUS says so, syncs stop.
    public func cacheDamaged() {
        lastStatus = ""
        wake()
    }

    /// The status line as of now, for the control socket's `status`.
    public var currentStatus: String { statusLine(now: clock.now) }

    private func finished(_ outcome: SyncOutcome) {
        running.remove(outcome.source)
        if configuration.source(named: outcome.source) != nil {
            table[outcome.source] = outcome.nextDue
        }
        if outcome.succeeded { failing.remove(outcome.source) } else { failing.insert(outcome.source) }
        for waiter in waiters.removeValue(forKey: outcome.source) ?? [] { waiter.fulfil(outcome) }
        wake()
    }

    private func beginShutdown() {
        guard !stopping else { return }
        stopping = true
        notifier.stopping()
        logger.info("shutting down", metadata: ["in_flight": "\(running.count)"])
        wake()
    }

    private func loadDueTimes() async throws {
        var persisted: [String: Date] = [:]
        for source in configuration.sources {
            if let due = try cache.syncState(source: source.name)?.nextDue { persisted[source.name] = due }
        }
        table = DueTable(
            names: configuration.sources.map(\.name), persisted: persisted, now: clock.now,
            spread: configuration.daemon.startupSpread)
    }

    private func beat(status: String) {
        do {
            try cache.daemonState.beat(
                pid: pid, version: TradeWatch.version, startedAt: startedAt, status: status,
                controlSocket: controlSocket)
        } catch {
            logger.warning("cannot write the heartbeat: \(error)")
        }
    }

    /// `14 sources, 1 failing; next sync in 3m`.
    func statusLine(now: Date) -> String {
        var line = "\(configuration.sources.count) source\(configuration.sources.count == 1 ? "" : "s")"
        if !failing.isEmpty { line += ", \(failing.count) failing" }
        if !running.isEmpty {
            line += "; syncing \(running.count)"
        } else if let next = table.next(excluding: running) {
            let seconds = max(0, Int(next.timeIntervalSince(now).rounded()))
            line += "; next sync in " + DurationText.format(.seconds(seconds < 60 ? seconds : seconds / 60 * 60))
        }
        if let damage = cache.health.damage {
            line = "CACHE DAMAGED, writes stopped (\(damage.problems.first ?? "quick_check failed")); " + line
        }
        if let configurationProblem {
            line = "configuration error (previous configuration in use): \(configurationProblem); " + line
        }
        return line
    }

    // MARK: Sleeping

    private func sleep(until deadline: Date) async {
        if wakePending {
            wakePending = false
            return
        }
        guard deadline > clock.now else { return }
        let clock = self.clock
        let task = Task { _ = try? await clock.sleep(until: deadline) }
        sleeper = task
        await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            task.cancel()
        }
        sleeper = nil
        wakePending = false
    }

    private func wake() {
        if let sleeper {
            sleeper.cancel()
        } else {
            wakePending = true
        }
    }

    private static func abortedOutcome(name: String, now: Date) -> SyncOutcome {
        SyncOutcome(
            source: name, outcome: .failed, revision: nil, errorCode: .aborted, errorMessage: "the daemon stopped",
            nextDue: now, duration: .zero, requests: 0)
    }
}

/// One `sync --wait` caller's claim on a source's next outcome. Only ever touched on the
/// scheduler actor: fulfilled by `finished`, awaited by `requestSync`.
private final class OutcomeWaiter {
    private var result: SyncOutcome?
    private var continuation: CheckedContinuation<SyncOutcome, Never>?

    func fulfil(_ outcome: SyncOutcome) {
        if let continuation {
            self.continuation = nil
            continuation.resume(returning: outcome)
        } else {
            result = outcome
        }
    }

    func outcome(isolation: isolated (any Actor)? = #isolation) async -> SyncOutcome {
        if let result { return result }
        return await withCheckedContinuation { continuation = $0 }
    }
}
