import ArgumentParser
import TradeWatchModel

@main
struct TradeWatchCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tradewatch",
        abstract: "Read tradewatch's versioned cache: status, revisions, diffs, history, search and exports.",
        version: TradeWatch.version,
        subcommands: [])
}
