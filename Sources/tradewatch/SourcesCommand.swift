import ArgumentParser
import Foundation
import TradeWatchCache
import TradeWatchModel

struct SourcesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources", abstract: "The sources the cache knows, with what it holds of each.")

    @OptionGroup var cache: CacheOptions

    @Flag(help: "Print one JSON document.")
    var json = false

    func run() async throws {
        let db = try cache.open()
        let sources = try db.status()
        let datasets = try db.datasets(sources: nil)
        if json {
            try Terminal.printJSON(SourcesReport(sources: sources, datasets: datasets))
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
        guard !datasets.isEmpty else { return }
        // Each dataset with its title (from the publisher's structure) and how its names are kept.
        var titles = Table([("SOURCE", .left), ("DATASET", .left), ("SERIES", .right), ("TITLE", .left)])
        for dataset in datasets {
            titles.add([
                dataset.source, dataset.dataset, Human.count(dataset.series),
                TerminalText.line(dataset.title ?? "", limit: 70),
            ])
        }
        Terminal.print("\n" + titles.render())
        var references = Table([("SOURCE", .left), ("REFERENCE", .left), ("LAST SUCCESS", .left), ("STATE", .left)])
        var any = false
        for source in sources {
            for state in try db.referenceStates(source: source.name) {
                any = true
                let health =
                    state.consecutiveFailures == 0
                    ? "ok"
                    : "failing ×\(state.consecutiveFailures): "
                        + TerminalText.line("\(state.lastErrorCode ?? ""): \(state.lastErrorMessage ?? "")", limit: 70)
                references.add([
                    source.name, state.document, state.lastSuccess.map { Human.relative($0) } ?? "never", health,
                ])
            }
        }
        if any { Terminal.print("\n" + references.render()) }
    }
}

/// `sources --json`.
struct SourcesReport: Encodable {
    struct Dataset: Encodable {
        var source: String
        var dataset: String
        var title: String?
        var series: Int
        var structure: DatasetStructure?
    }

    var sources: [SourceStatus]
    var datasets: [Dataset]

    init(sources: [SourceStatus], datasets: [DatasetInfo]) {
        self.sources = sources
        self.datasets = datasets.map {
            Dataset(source: $0.source, dataset: $0.dataset, title: $0.title, series: $0.series, structure: $0.structure)
        }
    }
}
