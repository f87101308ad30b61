import ArgumentParser
import Foundation
import TradeWatchCache
import TradeWatchFormats
import TradeWatchModel

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Every version of one figure, one article, or one code's label.",
        discussion: """
            A figure is SERIES@PERIOD (e.g. 'FREQ=M.REPORTER=156.PARTNER=408.CMD=6704@2019-03'; the \
            series part may be a glob), or chosen with --where/--match and --period: \
            'history --where CMD=6704 --where FLOW=M --period 2019-03'. A selector that names more \
            than one series lists them and exits 2. An article is its id or key. --label DIM=CODE \
            shows when a code's name changed.
            """)

    @OptionGroup var cache: CacheOptions

    @Argument(help: "SERIES@PERIOD, or an article id.")
    var key: String?

    @Option(help: "Only this source.")
    var source: String?

    @Option(help: "Only this dataset.")
    var dataset: String?

    @OptionGroup var selector: SeriesSelector

    @Option(help: "The period of the figure chosen with --where/--match (e.g. 2019-03).")
    var period: String?

    @Option(help: ArgumentHelp("The versions of one code's label instead of a figure's.", valueName: "DIM=CODE"))
    var label: String?

    @Flag(help: "Show codes only, no labels.")
    var codes = false

    @Flag(help: "Print one JSON document.")
    var json = false

    func validate() throws {
        if let label, Self.labelCode(label) == nil {
            throw ValidationError("--label: '\(label)' is not DIM=CODE (e.g. PARTNER=408)")
        }
        if key == nil && label == nil && selector.isEmpty {
            throw ValidationError("give SERIES@PERIOD, an article id, --where/--match with --period, or --label")
        }
        if label != nil && (key != nil || !selector.isEmpty) {
            throw ValidationError("--label shows a code's names; it does not combine with a figure or article")
        }
        if period != nil, key != nil {
            throw ValidationError("--period goes with --where/--match; SERIES@PERIOD names its period itself")
        }
        // A selector chooses the series: with an exact SERIES@PERIOD or an article it would be
        // silently ignored.
        if let key, !selector.isEmpty {
            let figure = key.lastIndex(of: "@").map { key[..<$0] }.flatMap { $0.contains("=") ? $0 : nil }
            guard let figure, Self.isGlob(String(figure)) else {
                throw ValidationError(
                    "--where/--match choose the series: give them with --period instead of SERIES@PERIOD (or with a glob SERIES@PERIOD)"
                )
            }
        }
    }

    static func labelCode(_ text: String) -> (dimension: String, code: String)? {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    func run() async throws {
        let db = try cache.open()
        if let label, let (dimension, code) = Self.labelCode(label) {
            try labelHistory(db, dimension: dimension, code: code)
            return
        }
        var figure: (series: String, period: String)?
        if let key, let at = key.lastIndex(of: "@"), key[..<at].contains("=") {
            figure = (String(key[..<at]), String(key[key.index(after: at)...]))
        }
        // An exact key first: a publisher's code may hold `[` or `*` itself.
        var exact: [ObservationVersion] = []
        if let figure {
            exact = try db.history(source: source, series: figure.series, period: figure.period)
            if let dataset { exact = exact.filter { $0.dataset == dataset } }
        }
        if exact.isEmpty && (!selector.isEmpty || figure.map({ Self.isGlob($0.series) }) == true) {
            guard let period = figure?.period ?? period else {
                throw CommandFailure(message: "name the period: --period 2019-03 (or SERIES@PERIOD)", exitCode: 2)
            }
            let chosen = try Self.one(
                db,
                SeriesQuery(
                    words: selector.words, sources: source.map { [$0] }, dataset: dataset,
                    dimensions: selector.dimensions, keyGlob: figure?.series, limit: 51),
                labeller: Labeller(db, showsLabels: !codes), json: json)
            let versions = try db.history(
                source: chosen.source,
                key: ObservationKey(dataset: chosen.dataset, series: chosen.key, period: period))
            guard !versions.isEmpty else {
                throw CommandFailure(
                    message: "no figure for \(period) in \(chosen.source) / \(chosen.dataset) \(chosen.key)",
                    exitCode: 1)
            }
            try printFigure(db, name: chosen.key + "@" + period, versions: versions)
            return
        }
        guard let key else { return }
        if figure != nil {
            guard !exact.isEmpty else { throw CommandFailure(message: "no figure \(key) in the cache", exitCode: 1) }
            try printFigure(db, name: key, versions: exact)
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

    static func isGlob(_ text: String) -> Bool { text.contains { $0 == "*" || $0 == "?" || $0 == "[" } }

    /// The one series a selector names. None is exit 1; several are listed, exit 2.
    static func one(
        _ db: any CacheReader, _ query: SeriesQuery, labeller: Labeller, json: Bool = false
    ) throws -> SeriesSummary {
        let found = try db.series(query)
        if found.count == 1 { return found[0] }
        if found.isEmpty { throw CommandFailure(message: "no series matches the selector", exitCode: 1) }
        // The candidates, as `series` shows them (`{"series": […], "truncated"}` with --json).
        let shown = Array(found.prefix(50))
        if json {
            try Terminal.printJSON(SeriesReport(series: shown, truncated: found.count > 50))
        } else {
            Terminal.print(try SeriesCommand.render(shown, labeller: labeller))
        }
        let more = found.count > 50 ? "more than 50" : "\(found.count)"
        throw CommandFailure(
            message: "the selector matches \(more) series (listed above); add --where DIM=CODE to choose one",
            exitCode: 2)
    }

    private func printFigure(_ db: any CacheReader, name: String, versions: [ObservationVersion]) throws {
        let labeller = Labeller(db, showsLabels: !codes)
        let first = versions[0]
        if json {
            try Terminal.printJSON(
                FigureHistory(
                    figure: name,
                    labels: try labeller.json(source: first.source, dataset: first.dataset, series: first.series),
                    versions: versions))
            return
        }
        // Say what the figure is, dimension by dimension, once (several datasets: each is named in the table).
        if Set(versions.map { $0.source + "\u{0}" + $0.dataset + "\u{0}" + $0.series }).count == 1,
            let key = SeriesKey(canonical: first.series)
        {
            Terminal.print(try labeller.heading(source: first.source, dataset: first.dataset) + " @ " + first.period)
            Terminal.print(
                try labeller.sharedLines(source: first.source, dataset: first.dataset, layout: KeyLayout([key]))
                    .joined(separator: "\n"))
        }
        var table = Table([
            ("FROM", .right), ("TO", .right), ("SOURCE", .left), ("DATASET", .left), ("VALUE", .right),
            ("STATUS", .left), ("UNIT", .left),
        ])
        for version in versions {
            table.add([
                String(version.fromRevision), version.toRevision.map(String.init) ?? "now", version.source,
                version.dataset, version.value ?? "(missing)",
                try statusCell(labeller, version), version.unit ?? "",
            ])
        }
        Terminal.print(table.render())
    }

    /// The status flag with its name when the structure's codelist gives one (`A Normal value`).
    private func statusCell(_ labeller: Labeller, _ version: ObservationVersion) throws -> String {
        guard let status = version.status else { return "" }
        return try labeller.cell(
            source: version.source, dataset: version.dataset, dimension: "OBS_STATUS", code: status, width: 20)
    }

    private func labelHistory(_ db: any CacheReader, dimension: String, code: String) throws {
        let versions = try db.labelHistory(
            LabelQuery(source: source, dataset: dataset, component: dimension, code: code))
        guard !versions.isEmpty else {
            throw CommandFailure(message: "no label for \(dimension)=\(code) in the cache", exitCode: 1)
        }
        if json {
            try Terminal.printJSON(LabelHistoryReport(dimension: dimension, code: code, versions: versions))
            return
        }
        var table = Table([
            ("FROM", .right), ("TO", .right), ("SOURCE", .left), ("DATASET", .left), ("LANG", .left), ("NAME", .left),
        ])
        for version in versions {
            table.add([
                String(version.fromRevision), version.toRevision.map(String.init) ?? "now", version.source,
                version.dataset, version.label.language, TerminalText.line(version.label.name, limit: 90),
            ])
        }
        Terminal.print(table.render())
    }
}

/// `history --json` for a figure.
struct FigureHistory: Encodable {
    var figure: String
    /// {dimension: {code, name}} of the figure's series (the key stays codes).
    var labels: [String: CodeName]
    var versions: [ObservationVersion]
}

/// `history --label … --json`.
struct LabelHistoryReport: Encodable {
    var dimension: String
    var code: String
    var versions: [LabelVersion]
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
