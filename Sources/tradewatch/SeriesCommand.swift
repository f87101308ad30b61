import ArgumentParser
import Foundation
import TradeWatchCache
import TradeWatchModel

struct SeriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "series",
        abstract: "Find series by what they are: words over codes and labels, and dimension codes.",
        discussion: """
            Every word must be found in a series' codes, dimension ids or the labels of its codes \
            (any language; a word matches the start of a word). E.g. 'tradewatch series wigs korea', \
            'tradewatch series --where PARTNER=408 --where CMD=6704+9701'.
            """)

    @OptionGroup var cache: CacheOptions

    @Argument(help: "Words to look for in codes and labels.")
    var words: [String] = []

    @Option(help: "Only this source (repeatable).")
    var source: [String] = []

    @Option(help: "Only this dataset.")
    var dataset: String?

    @OptionGroup var selector: SeriesSelector

    @Option(help: "At most this many series.")
    var limit: Int = 50

    @Flag(help: "Show codes only, no labels.")
    var codes = false

    @Flag(help: "Print one JSON document.")
    var json = false

    func validate() throws {
        if limit < 1 || limit > 100_000 { throw ValidationError("--limit must be from 1 to 100000") }
        for word in words.flatMap({ $0.split(whereSeparator: \.isWhitespace) })
        where !SeriesSelector.searchable(String(word)) {
            throw ValidationError("'\(word)' has no letter or digit to look for")
        }
    }

    func run() async throws {
        let db = try cache.open()
        let query = SeriesQuery(
            words: words.flatMap { $0.split(whereSeparator: \.isWhitespace).map(String.init) } + selector.words,
            sources: source.isEmpty ? nil : source,
            dataset: dataset, dimensions: selector.dimensions, limit: limit + 1)
        var found = try db.series(query)
        let truncated = found.count > limit
        if truncated { found.removeLast(found.count - limit) }
        if json {
            try Terminal.printJSON(SeriesReport(series: found, truncated: truncated))
            return
        }
        guard !found.isEmpty else {
            Terminal.print("no series match")
            return
        }
        try Terminal.print(Self.render(found, labeller: Labeller(db, showsLabels: !codes)))
        if truncated { Terminal.print("(more than \(limit) series match; narrow the query or raise --limit)") }
    }

    /// One block per dataset: its title, the dimensions all its series share, then a row per
    /// series with a column per dimension that differs.
    static func render(_ series: [SeriesSummary], labeller: Labeller) throws -> String {
        var blocks: [String] = []
        var start = 0
        if labeller.showsLabels { try labeller.readStructures(of: series.map(\.source)) }
        while start < series.count {
            let first = series[start]
            var end = start + 1
            while end < series.count && series[end].source == first.source && series[end].dataset == first.dataset {
                end += 1
            }
            let group = series[start..<end]
            start = end
            let keys = group.map { SeriesKey($0.dimensions.map { SeriesKey.Dimension(id: $0.id, value: $0.code) }) }
            let layout = KeyLayout(keys)
            // The names come with the series: no label is read again.
            var names: [String: String] = [:]
            for dimension in first.dimensions { names[dimension.id] = dimension.name }
            var lines = [try labeller.heading(source: first.source, dataset: first.dataset)]
            lines += try labeller.sharedLines(
                source: first.source, dataset: first.dataset, layout: layout, names: names)
            let width = Labeller.labelWidth(columns: layout.varying.count, reserved: 40)
            var table = Table(
                layout.varying.map { ($0, Table.Alignment.left) } + [
                    ("PERIODS", .right), ("FIRST", .left), ("LAST", .left), ("REVISION", .right),
                ])
            for summary in group {
                var row: [String] = []
                for dimension in layout.varying {
                    let found = summary.dimensions.first { $0.id == dimension }
                    row.append(found.map { labeller.cell(code: $0.code, name: $0.name, width: width) } ?? "")
                }
                row += [
                    Human.count(summary.periods), summary.firstPeriod ?? "", summary.lastPeriod ?? "",
                    summary.lastRevision.map(String.init) ?? "",
                ]
                table.add(row)
            }
            lines.append(table.render())
            blocks.append(lines.joined(separator: "\n"))
        }
        return blocks.joined(separator: "\n\n")
    }
}

/// `series --json`: each series with its key as codes and `labels` {dimension: {code, name}}.
struct SeriesReport: Encodable {
    struct Series: Encodable {
        var source: String
        var dataset: String
        var key: String
        var labels: [String: CodeName]
        var periods: Int
        var firstPeriod: String?
        var lastPeriod: String?
        var lastRevision: Int64?
    }

    var series: [Series]
    /// More series matched than `--limit` allowed.
    var truncated: Bool

    init(series: [SeriesSummary], truncated: Bool) {
        self.series = series.map { summary in
            var labels: [String: CodeName] = [:]
            for dimension in summary.dimensions {
                labels[dimension.id] = CodeName(code: dimension.code, name: dimension.name)
            }
            return Series(
                source: summary.source, dataset: summary.dataset, key: summary.key, labels: labels,
                periods: summary.periods, firstPeriod: summary.firstPeriod, lastPeriod: summary.lastPeriod,
                lastRevision: summary.lastRevision)
        }
        self.truncated = truncated
    }
}
