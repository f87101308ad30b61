import ArgumentParser
import Foundation
import TradeWatchCache
import TradeWatchDaemon
import TradeWatchModel
import TradeWatchSync

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Ask the running daemon to sync sources now.",
        discussion: """
            Talks to tradewatchd over its control socket: --socket, else the socket the daemon \
            recorded in the cache, else $RUNTIME_DIRECTORY/control.sock, else \
            /run/tradewatch/control.sock. Without --wait it returns once the daemon has queued \
            the sources. Exit codes: 0 queued (or, with --wait, all synced); 1 a sync failed; 3 no \
            daemon listens (run `tradewatchd --once` instead).
            """)

    @Argument(help: "Sources to sync (default: all).")
    var sources: [String] = []

    @Flag(help: "Wait until each source has synced and print the outcome.")
    var wait = false

    @Option(help: ArgumentHelp("The daemon's control socket.", valueName: "path"))
    var socket: String?

    @Option(help: "With --wait, give up after this long (e.g. 10m).")
    var timeout: String = "30m"

    @Flag(help: "Print the daemon's answer as JSON.")
    var json = false

    @OptionGroup var cache: CacheOptions

    func validate() throws {
        if DurationText.parse(timeout) == nil { throw ValidationError("--timeout: expected a duration like 10m") }
        // The daemon refuses longer requests (see the README's security section).
        let limit = ControlLimits().sources
        if sources.count > limit {
            throw ValidationError(
                "at most \(limit) sources per request (\(sources.count) given); leave them out for all")
        }
    }

    func run() async throws {
        let path = socketPath()
        var reply: ControlReply
        do {
            let request = ControlRequest(sources: sources, wait: wait)
            reply = try ControlClient.send(request, to: path, timeout: DurationText.parse(timeout))
            // Every slot taken: they free within the daemon's request deadline, so try again a while.
            let giveUp = ContinuousClock.now + .seconds(30)
            while reply.code == .busy && ContinuousClock.now < giveUp {
                try await Task.sleep(for: .milliseconds(250))
                reply = try ControlClient.send(request, to: path, timeout: DurationText.parse(timeout))
            }
        } catch let error as ControlSocketError {
            if error.code == .noDaemon {
                throw CommandFailure(
                    message:
                        "\(error.message): the daemon is not running. To sync without it: tradewatchd --once\(sources.map { " --source \($0)" }.joined())",
                    exitCode: 3)
            }
            throw CommandFailure(message: error.message, exitCode: 1)
        }
        if json {
            try Terminal.printJSON(reply)
        } else if let error = reply.error {
            Terminal.error(error)
        } else if let results = reply.results {
            for result in results { Terminal.print(TerminalText.line(result.summary)) }
        } else {
            Terminal.print(TerminalText.line("queued: \((reply.queued ?? []).joined(separator: ", "))"))
        }
        if !reply.ok { throw CommandFailure(message: "", exitCode: 1) }
    }

    private func socketPath() -> String {
        if let socket { return socket }
        if let recorded = try? cache.open().heartbeat()?.controlSocket { return recorded }
        if let runtime = ProcessInfo.processInfo.environment["RUNTIME_DIRECTORY"], !runtime.isEmpty {
            return runtime + "/control.sock"
        }
        return "/run/tradewatch/control.sock"
    }
}
