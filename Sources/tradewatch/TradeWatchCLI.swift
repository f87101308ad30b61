import ArgumentParser
import Foundation
import TradeWatchCache
import TradeWatchDaemon
import TradeWatchModel
import TradeWatchSync

@main
struct TradeWatchCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tradewatch",
        abstract: "Read tradewatch's versioned cache: status, revisions, diffs, history, search and exports.",
        discussion: """
            Exit codes: 0 success; 1 a failure or a finding (verify found a violation, a fetch failed); \
            2 a usage error; \
            3 `sync` found no daemon.
            """,
        version: TradeWatch.version,
        subcommands: [
            StatusCommand.self, SourcesCommand.self, LogCommand.self, DiffCommand.self, HistoryCommand.self,
            SeriesCommand.self,
            SearchCommand.self,
            ShowCommand.self, ExportCommand.self,
            InspectCommand.self,
            VerifyCommand.self, SyncCommand.self, ConfigCommand.self,
        ])

    /// Runs the command and maps every error to one line on stderr and a documented exit code.
    static func main() async {
        if let position = CommandLineBytes.firstInvalidUTF8() {
            Terminal.error(
                "argument \(position) is not valid UTF-8; tradewatch does not guess which file or text was meant (rename it)"
            )
            Foundation.exit(2)
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            if !failure.message.isEmpty { Terminal.error(failure.message) }
            Foundation.exit(failure.exitCode)
        } catch let error as CacheError {
            Terminal.error(error.description)
            Foundation.exit(1)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            // Usage errors (ArgumentParser's 64) become 2, as documented.
            if code.rawValue == 64 {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// A command's way to stop with a specific exit code and one line of explanation.
struct CommandFailure: Error {
    var message: String
    var exitCode: Int32
}
