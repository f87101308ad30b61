import ArgumentParser
import Foundation
import TradeWatchCache
import TradeWatchFormats
import TradeWatchModel

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Every version of one figure or one article.",
        discussion: """
            KEY is SERIES@PERIOD for a figure (e.g. 'FREQ=M.REPORTER=156.PARTNER=408.CMD=6704@2019-03'), \
            or an article's id or key.
            """)

    @OptionGroup var cache: CacheOptions

    @Argument(help: "SERIES@PERIOD, or an article id.")
    var key: String

    @Option(help: "Only this source.")
    var source: String?

    @Option(help: "Only this dataset.")
    var dataset: String?

    @Flag(help: "Print one JSON document.")
    var json = false

    func run() async throws {
        let db = try cache.open()
        if let at = key.lastIndex(of: "@"), key[..<at].contains("=") {
            let series = String(key[..<at])
            let period = String(key[key.index(after: at)...])
            var versions = try db.history(source: source, series: series, period: period)
            if let dataset { versions = versions.filter { $0.dataset == dataset } }
            guard !versions.isEmpty else { throw CommandFailure(message: "no figure \(key) in the cache", exitCode: 1) }
            if json {
                try Terminal.printJSON(FigureHistory(figure: key, versions: versions))
                return
            }
            var table = Table([
                ("FROM", .right), ("TO", .right), ("SOURCE", .left), ("DATASET", .left), ("VALUE", .right),
                ("STATUS", .left), ("UNIT", .left),
            ])
            for version in versions {
                table.add([
                    String(version.fromRevision), version.toRevision.map(String.init) ?? "now", version.source,
                    version.dataset, version.value ?? "(missing)", version.status ?? "", version.unit ?? "",
                ])
            }
            Terminal.print(table.render())
            return
        }
        let versions = try db.entryHistory(source: source, key: key)
        guard !versions.isEmpty else { throw CommandFailure(message: "no article \(key) in the cache", exitCode: 1) }
        if json {
            try Terminal.printJSON(ArticleHistory(article: key, versions: versions))
            return
        }
        var table = Table([("FROM", .right), ("TO", .right), ("TITLE", .left), ("CHANGED", .left)])
        var previous: Entry?
        for version in versions {
            let changed =
                previous.map { $0.changedFields(comparedTo: version.entry).joined(separator: ",") } ?? "first seen"
            table.add([
                String(version.fromRevision), version.toRevision.map(String.init) ?? "now",
                TerminalText.line(version.entry.titleText ?? "", limit: 70), changed,
            ])
            previous = version.entry
        }
        Terminal.print(table.render())
    }
}

/// `history --json` for a figure.
struct FigureHistory: Encodable {
    var figure: String
    var versions: [ObservationVersion]
}

/// `history --json` for an article: each version with the fields that changed from the one before.
struct ArticleHistory: Encodable {
    struct Version: Encodable {
        var fromRevision: Int64
        var toRevision: Int64?
        var changedFields: [String]
        /// As published; `titleType` says whether it is text or HTML.
        var title: String?
        var titleType: TextType?
        var link: String?
        var published: Date?
        var updated: Date?
        var summary: String?
        var summaryType: TextType?
    }

    var article: String
    var versions: [Version]

    init(article: String, versions: [EntryVersion]) {
        self.article = article
        var previous: Entry?
        self.versions = versions.map { version in
            defer { previous = version.entry }
            let entry = version.entry
            return Version(
                fromRevision: version.fromRevision, toRevision: version.toRevision,
                changedFields: previous.map { $0.changedFields(comparedTo: entry) } ?? [], title: entry.title,
                titleType: entry.title == nil ? nil : entry.titleType, link: entry.link, published: entry.published,
                updated: entry.updated,
                summary: entry.summary, summaryType: entry.summary == nil ? nil : entry.summaryType)
        }
    }
}
