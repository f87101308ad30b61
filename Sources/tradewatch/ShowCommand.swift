import ArgumentParser
import Foundation
import TradeWatchCache
import TradeWatchExport
import TradeWatchFormats
import TradeWatchModel

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "The data of one source as of a revision: its figures and articles.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table
        case csv
        case ndjson
    }

    @OptionGroup var cache: CacheOptions

    @Argument(help: "The source's name.")
    var source: String

    @Option(help: "A revision (number, latest, latest~N, @TIME); default latest.")
    var asOf: String = "latest"

    @Option(help: "table, csv or ndjson (one JSON object per row).")
    var format: Format = .table

    @Flag(help: "Print one JSON document.")
    var json = false

    @Option(help: "Only this dataset.")
    var dataset: String?

    @Option(help: "Only series keys matching this glob, e.g. '*CMD=6704*'.")
    var key: String?

    @OptionGroup var selector: SeriesSelector

    @Flag(help: "Show codes only, no labels.")
    var codes = false

    func validate() throws {
        if RevisionPoint(asOf) == nil {
            throw ValidationError("--as-of: '\(asOf)' is not a revision like 12, latest~1 or @2019-07-03")
        }
    }

    func run() async throws {
        let db = try cache.open()
        guard try db.status().contains(where: { $0.name == source }) else {
            throw CommandFailure(message: "no source named '\(source)' in the cache", exitCode: 1)
        }
        let revision = try db.resolve(RevisionPoint(asOf) ?? .latest)
        let narrowed = dataset != nil || key != nil || !selector.isEmpty
        let observations = try db.observations(
            at: revision, filter: selector.rowFilter(sources: [source], dataset: dataset, keyGlob: key))
        // A selector names figures: articles are shown only when none is given.
        let entries = narrowed ? [] : try db.entries(at: revision, sources: [source])
        let labeller = Labeller(db, showsLabels: !codes)
        if json {
            try Terminal.printJSON(
                ShowReport(
                    revision: revision,
                    observations: try observations.map {
                        LabelledObservation(
                            version: $0,
                            labels: try labeller.json(source: $0.source, dataset: $0.dataset, series: $0.series))
                    }, entries: entries))
            return
        }
        switch format {
        case .ndjson:
            let encoder = Terminal.jsonEncoder(pretty: false)
            for observation in observations {
                Terminal.print(String(decoding: try encoder.encode(observation), as: UTF8.self))
            }
            for entry in ShowReport.articles(entries) {
                Terminal.print(String(decoding: try encoder.encode(entry), as: UTF8.self))
            }
        case .csv:
            var lines = [RowFileWriter.csvLine(["dataset", "series", "period", "value", "unit", "status", "from_rev"])]
            for o in observations {
                lines.append(
                    RowFileWriter.csvLine([
                        o.dataset, o.series, o.period, o.value, o.unit, o.status, String(o.fromRevision),
                    ]))
            }
            if !entries.isEmpty {
                lines.append(RowFileWriter.csvLine(["key", "published", "title", "link", "from_rev"]))
                for version in entries {
                    let e = version.entry
                    lines.append(
                        RowFileWriter.csvLine([
                            e.key, e.published.map(Timestamp.format), e.titleText, e.link, String(version.fromRevision),
                        ]))
                }
            }
            Terminal.print(lines.joined(separator: "\n"))
        case .table:
            Terminal.print("\(TerminalText.line(source)) as of revision \(revision)")
            if !observations.isEmpty { Terminal.print(try Self.figures(observations, labeller: labeller)) }
            if !entries.isEmpty {
                var table = Table([("PUBLISHED", .left), ("TITLE", .left), ("LINK", .left)])
                for version in entries {
                    let e = version.entry
                    table.add([
                        e.published.map { String(Timestamp.format($0).prefix(16)) } ?? "",
                        TerminalText.line(e.titleText ?? e.key, limit: 70), e.link ?? "",
                    ])
                }
                Terminal.print(table.render())
            }
            if observations.isEmpty && entries.isEmpty { Terminal.print("nothing at this revision") }
        }
    }
}

extension ShowCommand {
    /// One block per dataset: its title, the dimensions all its rows share, then a column per
    /// dimension that differs (code and name), the period and the value.
    static func figures(_ observations: [ObservationVersion], labeller: Labeller) throws -> String {
        var blocks: [String] = []
        var start = 0
        while start < observations.count {
            let first = observations[start]
            var end = start + 1
            while end < observations.count && observations[end].dataset == first.dataset { end += 1 }
            let group = observations[start..<end]
            start = end
            let keys = group.map { SeriesKey(canonical: $0.series) ?? SeriesKey([]) }
            let layout = KeyLayout(keys)
            var lines = [try labeller.heading(source: first.source, dataset: first.dataset)]
            lines += try labeller.sharedLines(source: first.source, dataset: first.dataset, layout: layout)
            let width = Labeller.labelWidth(columns: layout.varying.count, reserved: 50)
            var table = Table(
                layout.varying.map { ($0, Table.Alignment.left) } + [
                    ("PERIOD", .left), ("VALUE", .right), ("UNIT", .left), ("STATUS", .left), ("SINCE", .right),
                ])
            for (o, key) in zip(group, keys) {
                var row: [String] = []
                for dimension in layout.varying {
                    row.append(
                        try key[dimension].map {
                            try labeller.cell(
                                source: o.source, dataset: o.dataset, dimension: dimension, code: $0, width: width)
                        } ?? "")
                }
                row += [o.period, o.value ?? "(missing)", o.unit ?? "", o.status ?? "", String(o.fromRevision)]
                table.add(row)
            }
            lines.append(table.render())
            blocks.append(lines.joined(separator: "\n"))
        }
        return blocks.joined(separator: "\n\n")
    }
}

/// An observation as `--json` shows it: its stored fields, and `labels` {dimension: {code, name}}.
struct LabelledObservation: Encodable {
    var version: ObservationVersion
    var labels: [String: CodeName]

    private enum Keys: String, CodingKey { case labels }

    func encode(to encoder: any Encoder) throws {
        try version.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(labels, forKey: .labels)
    }
}

/// `show --json`.
struct ShowReport: Encodable {
    struct Article: Encodable {
        var key: String
        var id: String?
        /// As published; `titleType` says whether it is text or HTML.
        var title: String?
        var titleType: TextType?
        var link: String?
        var published: Date?
        var updated: Date?
        var summary: String?
        var summaryType: TextType?
        var categories: [String]
        var fromRevision: Int64
    }

    var revision: Int64
    var observations: [LabelledObservation]
    var entries: [Article]

    init(revision: Int64, observations: [LabelledObservation], entries: [EntryVersion]) {
        self.revision = revision
        self.observations = observations
        self.entries = Self.articles(entries)
    }

    static func articles(_ entries: [EntryVersion]) -> [Article] {
        entries.map {
            Article(
                key: $0.entry.key, id: $0.entry.id, title: $0.entry.title,
                titleType: $0.entry.title == nil ? nil : $0.entry.titleType,
                link: $0.entry.link, published: $0.entry.published, updated: $0.entry.updated,
                summary: $0.entry.summary, summaryType: $0.entry.summary == nil ? nil : $0.entry.summaryType,
                categories: $0.entry.categories,
                fromRevision: $0.fromRevision)
        }
    }
}
