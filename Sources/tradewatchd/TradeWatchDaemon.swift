import ArgumentParser
import TradeWatchModel

@main
struct TradeWatchDaemon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tradewatchd",
        abstract: "Keep a versioned cache of trade statistics and news feeds in sync.",
        version: TradeWatch.version)

    @Option(help: "The configuration file.")
    var config: String = "/etc/tradewatch/tradewatch.toml"

    @Option(help: "The cache database; overrides the configuration.")
    var db: String?

    @Flag(help: "Sync every source once, then exit.")
    var once = false

    func run() async throws {
        throw ValidationError("the sync engine is not built yet; see the README")
    }
}
