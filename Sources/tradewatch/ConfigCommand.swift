import ArgumentParser
import Foundation
import TradeWatchSync

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with tradewatchd's configuration.",
        subcommands: [Check.self, CheckChild.self])

    /// How the CLI checks a file: a child of its own executable reads the bytes on stdin
    /// (`config check-child`), so a TOML parser crash takes only the child down. The CLI's own
    /// binary rather than `tradewatchd`: the CLI is often installed alone (an analyst's copy
    /// of a cache), and its own parser is the one whose verdict it prints.
    static let checker = ConfigurationChecker(arguments: ["config", "check-child"])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Check a configuration file the way tradewatchd reads it.",
            discussion: """
                Prints every problem as FILE:LINE: KEY: message and exits 1 when there is one; \
                otherwise lists the sources and exits 0.
                """)

        @Argument(help: "The file (default: /etc/tradewatch/tradewatch.toml).")
        var file: String = "/etc/tradewatch/tradewatch.toml"

        @Flag(help: "Print the result as JSON.")
        var json = false

        func run() async throws {
            let configuration: Configuration
            do {
                configuration = try await ConfigCommand.checker.load(file: file)
            } catch {
                if json {
                    try Terminal.printJSON(
                        CheckReport(
                            file: file, valid: false,
                            issues: error.issues.map {
                                CheckReport.Issue(file: $0.file, line: $0.line, key: $0.keyPath, message: $0.message)
                            }, sources: []))
                } else {
                    for issue in error.issues { Terminal.error(issue.description) }
                }
                throw CommandFailure(message: "", exitCode: 1)
            }
            let sources = configuration.sources.map {
                CheckReport.Source(
                    name: $0.name, kind: $0.kindName,
                    interval: DurationText.format($0.effectiveInterval(configuration.daemon)))
            }
            if json {
                try Terminal.printJSON(CheckReport(file: file, valid: true, issues: [], sources: sources))
                return
            }
            for source in sources { Terminal.print("\(source.name)  \(source.kind)  every \(source.interval)") }
            Terminal.print("\(file): OK, \(sources.count) source(s)")
        }
    }

    /// The child's side of `checker`: the configuration on stdin, the verdict as JSON on
    /// stdout, exit 0 when it checks out and 1 when not.
    struct CheckChild: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-child", abstract: "Check a configuration read from stdin (used by config check).",
            shouldDisplay: false)

        @Argument(help: "The file name to use in messages.")
        var name: String

        func run() throws {
            throw ExitCode(ConfigurationChecker.answer(file: name))
        }
    }

    /// `config check --json`.
    struct CheckReport: Encodable {
        var file: String
        var valid: Bool
        var issues: [Issue]
        var sources: [Source]

        struct Issue: Encodable {
            var file: String
            var line: Int?
            var key: String
            var message: String
        }

        struct Source: Encodable {
            var name: String
            var kind: String
            var interval: String
        }
    }
}
