public import Logging
public import ServiceLifecycle
public import TradeWatchSync
import UnixSignals

/// Rereads the configuration on SIGHUP (`systemctl reload`). A file that does not check out
/// leaves the running configuration in place and says why in the log and in STATUS.
public struct ReloadService: Service {
    private let file: String
    private let scheduler: SyncScheduler
    private let notifier: SystemdNotifier
    private let logger: Logger
    /// Applied to every configuration read, e.g. the `--db` override.
    private let adjust: @Sendable (inout Configuration) -> Void
    private let checker: ConfigurationChecker

    public init(
        file: String, scheduler: SyncScheduler, notifier: SystemdNotifier, logger: Logger,
        adjust: @escaping @Sendable (inout Configuration) -> Void = { _ in },
        checker: ConfigurationChecker = ConfigurationChecker(arguments: ["--check-config", "-", "--config"])
    ) {
        self.checker = checker
        self.file = file
        self.scheduler = scheduler
        self.notifier = notifier
        self.logger = logger
        self.adjust = adjust
    }

    public func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            notifier.reloading()
            logger.info("SIGHUP: rereading the configuration", metadata: ["file": "\(file)"])
            do {
                // Checked in a child process: a file that crashes the parser leaves the
                // daemon running on the configuration it has.
                var configuration = try await checker.load(file: file)
                adjust(&configuration)
                await scheduler.apply(configuration)
            } catch {
                let first = error.issues.first?.description ?? "unreadable"
                let more = error.issues.count > 1 ? " (and \(error.issues.count - 1) more)" : ""
                await scheduler.rejectReload(first + more)
            }
            notifier.send("READY=1")
        }
    }
}
