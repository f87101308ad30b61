import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TradeWatchCache
import TradeWatchDaemon
import TradeWatchFetch
import TradeWatchModel
import TradeWatchSync
import UnixSignals

@main
struct TradeWatchDaemon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tradewatchd",
        abstract: "Keep a versioned cache of trade statistics and news feeds in sync.",
        discussion: """
            Runs until SIGTERM or SIGINT; SIGHUP rereads the configuration. Under systemd it \
            speaks the notify protocol (READY, STATUS, WATCHDOG, STOPPING). With --once it syncs \
            every source (or those named with --source) once and exits: 0 when all succeeded, 1 \
            otherwise. A configuration that does not check out exits 78 (EX_CONFIG).
            """,
        version: TradeWatch.version)

    @Option(help: "The configuration file.")
    var config: String = "/etc/tradewatch/tradewatch.toml"

    @Option(help: "The cache database; overrides the configuration.")
    var db: String?

    @Flag(help: "Sync every source once, then exit.")
    var once = false

    @Option(name: .customLong("source"), help: "With --once: sync only this source (repeatable).")
    var sources: [String] = []

    @Option(help: "trace, debug, info, notice, warning or error.")
    var logLevel: String = "info"

    @Option(
        help: ArgumentHelp(
            "Check a configuration (- reads it from stdin, named by --config) and print the result as JSON.",
            visibility: .hidden))
    var checkConfig: String?

    func validate() throws {
        if let position = CommandLineBytes.firstInvalidUTF8() {
            throw ValidationError("argument \(position) is not valid UTF-8; rename the file")
        }
        if !sources.isEmpty && !once { throw ValidationError("--source goes with --once") }
        if Logger.Level(rawValue: logLevel) == nil { throw ValidationError("unknown --log-level \(logLevel)") }
    }

    func run() async throws {
        if let checkConfig { throw ExitCode(Self.checkConfiguration(checkConfig, name: config)) }
        Signals.ignoreReloadUntilListening()
        Signals.unblockDaemonSignals()
        let environment = ProcessInfo.processInfo.environment
        let journal = environment["JOURNAL_STREAM"] != nil
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, level: level, journal: journal) }
        let logger = Logger(label: "tradewatchd")

        var configuration = try await loadConfiguration(logger: logger)
        let override = db
        let adjust: @Sendable (inout Configuration) -> Void = { configuration in
            if let override { configuration.daemon.cache = override }
        }
        adjust(&configuration)
        let cachePath =
            configuration.daemon.cache
            ?? CachePath.resolve(environment: environment) { FileManager.default.fileExists(atPath: $0) }
        let notifier = SystemdNotifier(environment: environment)
        let cache = try Self.openCacheAlone(at: cachePath, logger: logger, notifier: notifier)
        let daemon = configuration.daemon
        let fetcher = try Fetcher(
            configuration: FetchConfiguration(
                maxConcurrent: daemon.maxConcurrent, maxPerHost: daemon.maxPerHost, contact: daemon.contact),
            logger: logger)
        defer { fetcher.shutdown() }
        let engine = SyncEngine(cache: cache, fetcher: fetcher, logger: logger, environment: environment)

        if once {
            try await Self.recheckRecordedDamage(cache, logger: logger)
            let succeeded = try await syncOnce(configuration, engine: engine)
            throw ExitCode(succeeded ? 0 : 1)
        }

        let socketPath =
            daemon.controlSocket
            ?? environment["RUNTIME_DIRECTORY"].flatMap {
                $0.isEmpty ? nil : $0.split(separator: ":").first.map { "\($0)/control.sock" }
            }
        let control = socketPath.flatMap { Self.controlListener(at: $0, logger: logger) }
        let scheduler = SyncScheduler(
            configuration: configuration, engine: engine, notifier: notifier, logger: logger,
            controlSocket: control?.path)
        // A group shuts its services down last to first: the control socket goes after the
        // scheduler, so that `sync --wait` callers still hear that their syncs were aborted.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let control {
            services.append(
                .init(
                    service: ControlServer(listener: control, logger: logger) { request in
                        await Self.answer(request, scheduler: scheduler)
                    }))
        }
        services += [
            .init(service: scheduler),
            .init(
                service: ReloadService(
                    file: config, scheduler: scheduler, notifier: notifier, logger: logger, adjust: adjust)),
            .init(
                service: CacheCheckService(cache: cache, scheduler: scheduler, logger: logger, clock: ContinuousClock())
            ),
        ]
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// The configuration, read once and checked in a child process (`--check-config -`) so
    /// that a parser crash cannot take the daemon down; exits 78 when it does not check out.
    private func loadConfiguration(logger: Logger) async throws -> Configuration {
        do {
            return try await Self.configurationChecker.load(file: config)
        } catch {
            for issue in error.issues { logger.error("\(issue.description)") }
            throw ExitCode(78)
        }
    }

    /// How the daemon checks a configuration: itself, as a child, reading the bytes on stdin.
    static let configurationChecker = ConfigurationChecker(arguments: ["--check-config", "-", "--config"])

    /// `--check-config FILE|-`: the child's side of `configurationChecker`.
    private static func checkConfiguration(_ path: String, name: String) -> Int32 {
        if path == "-" { return ConfigurationChecker.answer(file: name) }
        guard let input = FileHandle(forReadingAtPath: path) else { return 1 }
        return ConfigurationChecker.answer(file: path, input: input)
    }

    /// `--once`: every selected source synced once, a line each, true when all succeeded.
    private func syncOnce(_ configuration: Configuration, engine: SyncEngine) async throws -> Bool {
        let unknown = sources.filter { configuration.source(named: $0) == nil }
        guard unknown.isEmpty else {
            throw ValidationError(
                "no source named \(unknown.joined(separator: ", ")) in \(configuration.file)")
        }
        let selected = configuration.sources.filter { sources.isEmpty || sources.contains($0.name) }
        let daemon = configuration.daemon
        let window = daemon.maxConcurrent * 4
        var outcomes: [SyncOutcome] = []
        await withTaskGroup(of: SyncOutcome.self) { group in
            var inFlight = 0
            for source in selected {
                if inFlight >= window, let done = await group.next() {
                    outcomes.append(done)
                    inFlight -= 1
                }
                group.addTask { await engine.sync(source, daemon: daemon) }
                inFlight += 1
            }
            for await outcome in group { outcomes.append(outcome) }
        }
        let order = Dictionary(uniqueKeysWithValues: selected.enumerated().map { ($1.name, $0) })
        outcomes.sort { (order[$0.source] ?? 0) < (order[$1.source] ?? 0) }
        for outcome in outcomes { print(outcome.summaryLine) }
        let failed = outcomes.filter { !$0.succeeded }.count
        print("\(outcomes.count) source(s) synced, \(failed) failed")
        return failed == 0
    }

    private static func answer(_ request: ControlRequest, scheduler: SyncScheduler) async -> ControlReply {
        switch request.command {
        case .status:
            return ControlReply(ok: true, status: await scheduler.currentStatus)
        case .sync:
            do {
                let outcomes = try await scheduler.requestSync(request.sources, wait: request.wait)
                let queued = request.sources.isEmpty ? await scheduler.sourceNames : request.sources
                return ControlReply(
                    ok: outcomes.allSatisfy(\.succeeded), queued: queued,
                    results: request.wait ? outcomes.map(ControlReply.Result.init) : nil)
            } catch {
                return ControlReply(ok: false, error: "\(error)")
            }
        }
    }
}
