import ArgumentParser
import Foundation
import TradeWatchCache

struct SourcesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources", abstract: "The sources the cache knows, with what it holds of each.")

    @OptionGroup var cache: CacheOptions

    @Flag(help: "Print one JSON document.")
    var json = false

    func run() async throws {
        let sources = try cache.open().status()
        if json {
            try Terminal.printJSON(["sources": sources])
            return
        }
        var table = Table([
            ("SOURCE", .left), ("KIND", .left), ("FIGURES", .right), ("ARTICLES", .right), ("REVISIONS", .right),
            ("LAST REVISION", .right),
        ])
        for source in sources {
            table.add([
                source.name, source.kind, Human.count(source.observations), Human.count(source.entries),
                Human.count(source.revisions), source.lastRevision.map(String.init) ?? "",
            ])
        }
        Terminal.print(sources.isEmpty ? "no sources yet" : table.render())
    }
}
