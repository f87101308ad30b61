import ArgumentParser
import Foundation
import TradeWatchCache
import TradeWatchFormats
import TradeWatchModel

struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "What changed between two revisions: figures old → new, articles by field.",
        discussion: """
            RANGE is FROM..TO, each a revision number, latest, latest~N or @TIME (RFC 3339 or a date); \
            a single revision R means the change R made. Without RANGE, each source's latest revision \
            against the one before it.
            """)

    @OptionGroup var cache: CacheOptions

    @Argument(help: "FROM..TO, or one revision.")
    var range: String?

    @Option(help: "Only these sources (repeatable).")
    var source: [String] = []

    @Option(help: "Only this dataset.")
    var dataset: String?

    @Option(help: "Only series keys matching this glob, e.g. '*CMD=6704*'.")
    var key: String?

    @Flag(help: "Print one JSON document.")
    var json = false

    @Option(help: "Changed figures as csv or ndjson rows instead of tables.")
    var format: RowFormat?

    @Option(help: "Compare the cache as it was at this time (RFC 3339 or a date) with now, or with --until.")
    var since: String?

    @Option(help: "With --since, the later end instead of the latest revision.")
    var until: String?

    @Flag(help: "Show the old and new title and summary of every changed article.")
    var full = false

    @OptionGroup var selector: SeriesSelector

    @Flag(help: "Show codes only, no labels.")
    var codes = false

    func validate() throws {
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, TimeArgument.parse(value) == nil {
                throw ValidationError("\(name): '\(value)' is not a time like 2019-07-03 or 2019-07-03T12:00:00Z")
            }
        }
        if range != nil && since != nil { throw ValidationError("give a range or --since, not both") }
        if until != nil && since == nil { throw ValidationError("--until needs --since") }
        if let range, Self.parse(range) == nil {
            throw ValidationError(
                "'\(range)' is not a revision range like 12..15, latest~1..latest or @2019-07-01..latest")
        }
    }

    static func parse(_ range: String) -> (RevisionPoint?, RevisionPoint)? {
        let parts = range.components(separatedBy: "..")
        switch parts.count {
        case 1: return RevisionPoint(parts[0]).map { (nil, $0) }
        case 2:
            guard let from = RevisionPoint(parts[0]), let to = RevisionPoint(parts[1]) else { return nil }
            return (from, to)
        default: return nil
        }
    }

    /// The old and new title and summary of each changed article, as `-`/`+` lines: the title
    /// as a reader sees it (as published where only its markup changed), the summary as
    /// published. A value keeps its line breaks and tabs, each further line indented under its
    /// `-`/`+`; every other control and bidi character is escaped.
    static func fullText(_ diff: CacheDiff) -> String {
        var lines: [String] = []
        for change in diff.entries where change.kind == .changed {
            lines.append("~ \(TerminalText.line(change.source)) \(TerminalText.line(change.key))")
            let (old, new) = (change.old?.entry, change.new?.entry)
            let titles = old?.titleText != new?.titleText ? (old?.titleText, new?.titleText) : (old?.title, new?.title)
            for (field, old, new) in [("title", titles.0, titles.1), ("summary", old?.summary, new?.summary)]
            where old != new {
                lines.append("  \(field):")
                lines.append("  - " + TerminalText.block(old ?? "", indent: "    "))
                lines.append("  + " + TerminalText.block(new ?? "", indent: "    "))
            }
        }
        return lines.joined(separator: "\n")
    }

    func run() async throws {
        let db = try cache.open()
        let filter = selector.rowFilter(sources: source.isEmpty ? nil : source, dataset: dataset, keyGlob: key)
        // The pairs of revisions to compare, each with its filter.
        var ranges: [(from: Int64, to: Int64, filter: RowFilter)] = []
        if let since = since.flatMap(TimeArgument.parse) {
            let start = try db.resolve(.time(since))
            let end = try until.flatMap(TimeArgument.parse).map { try db.resolve(.time($0)) } ?? db.resolve(.latest)
            ranges.append((start, end, filter))
        } else if let range, let (from, to) = Self.parse(range) {
            let end = try db.resolve(to)
            let start = try from.map { try db.resolve($0) } ?? max(0, end - 1)
            ranges.append((start, end, filter))
        } else {
            // Each source's latest change of figures or articles against the one before (a
            // revision that only renamed codes is not "the last change" of a source's data).
            let sources = Set(try db.log(sources: filter.sources).map(\.source)).sorted()
            for name in sources {
                let recent = try db.log(sources: [name], limit: 1000).filter { $0.added + $0.changed + $0.removed > 0 }
                guard let latest = recent.first else { continue }
                let previous = recent.count > 1 ? recent[1].id : 0
                var scoped = filter
                scoped.sources = [name]
                ranges.append((previous, latest.id, scoped))
            }
        }
        if let format {
            // Rows are written as the diff finds them, never all held at once: a diff across a
            // first load of millions of figures streams in the memory of its own bookkeeping.
            var rows = RowWriter(
                format: format,
                header: [
                    "from", "to", "kind", "source", "dataset", "series", "period", "old_value", "new_value",
                    "old_status", "new_status", "relative_change",
                ])
            for range in ranges {
                try db.forEachObservationChange(from: range.from, to: range.to, filter: range.filter) { change in
                    let f = DiffReport.Figure(change)
                    rows.write([
                        String(range.from), String(range.to), f.kind.rawValue, f.source, f.dataset, f.series, f.period,
                        f.old?.value, f.new?.value, f.old?.status, f.new?.status, f.relativeChange.map { String($0) },
                    ])
                }
            }
            rows.finish()
            return
        }
        if json {
            try Self.printJSON(db, ranges)
            return
        }
        let diffs = try ranges.map { try db.diff(from: $0.from, to: $0.to, filter: $0.filter) }
        let labeller = Labeller(db, showsLabels: !codes)
        for diff in diffs {
            Terminal.print(try DiffReport(diff).text(labeller: labeller))
            if full { Terminal.print(Self.fullText(diff)) }
        }
        if diffs.allSatisfy({ $0.observations.isEmpty && $0.entries.isEmpty }) { Terminal.print("no changes") }
    }
}

extension DiffCommand {
    /// `{"diffs": [DiffReport…]}`, written as the figures are found rather than encoded at
    /// the end, so a diff of a million figures is never held whole. (A failure midway leaves
    /// the document unfinished, and the command fails.)
    static func printJSON(_ db: any CacheReader, _ ranges: [(from: Int64, to: Int64, filter: RowFilter)]) throws {
        // Read before the figures stream: the cache is not asked again from inside its read.
        let labeller = Labeller(db)
        let sources =
            ranges.contains { $0.filter.sources == nil } ? nil : Set(ranges.flatMap { $0.filter.sources ?? [] })
        try labeller.preload(sources: sources.map { $0.sorted() })
        var json = JSONStreamWriter()
        json.beginObject()
        json.key("diffs")
        json.beginArray()
        for range in ranges {
            json.beginObject()
            json.key("entries")
            json.beginArray()
            for change in try db.entryChanges(from: range.from, to: range.to, filter: range.filter) {
                DiffReport.Article(change).write(to: &json)
            }
            json.endArray()
            json.key("from")
            json.number(range.from)
            json.key("observations")
            json.beginArray()
            try db.forEachObservationChange(from: range.from, to: range.to, filter: range.filter) {
                let figure = DiffReport.Figure($0)
                figure.write(
                    to: &json,
                    labels: try labeller.json(source: figure.source, dataset: figure.dataset, series: figure.series))
            }
            json.endArray()
            json.key("to")
            json.number(range.to)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        json.finish()
    }
}

/// One compared pair of revisions: a table on the terminal, an object of `diff --json`.
struct DiffReport {
    struct Figure {
        var kind: ChangeKind
        var source: String
        var dataset: String
        var series: String
        var period: String
        var old: Version?
        var new: Version?
        /// (new − old) / |old|, when both are numbers and old is not zero.
        var relativeChange: Double?

        init(_ change: ObservationChange) {
            kind = change.kind
            source = change.source
            dataset = change.key.dataset
            series = change.key.series
            period = change.key.period
            old = change.old.map(Version.init)
            new = change.new.map(Version.init)
            if let old = change.old?.number, let new = change.new?.number, old != 0 {
                relativeChange = (new - old) / abs(old)
            }
        }
    }

    struct Version {
        init(_ version: ObservationVersion) {
            value = version.value
            unit = version.unit
            status = version.status
            attributes = version.attributes
            revision = version.fromRevision
        }

        var value: String?
        var unit: String?
        var status: String?
        var attributes: [String: String]
        var revision: Int64
    }

    struct Article {
        var kind: ChangeKind
        var source: String
        var key: String
        var changedFields: [String]
        /// Titles as published, each with its type (text or html).
        var oldTitle: String?
        var oldTitleType: TextType?
        var newTitle: String?
        var newTitleType: TextType?
        var link: String?

        init(_ change: EntryChange) {
            kind = change.kind
            source = change.source
            key = change.key
            changedFields = change.changedFields
            let (old, new) = (change.old?.entry, change.new?.entry)
            oldTitle = old?.title
            oldTitleType = old?.title == nil ? nil : old?.titleType
            newTitle = new?.title
            newTitleType = new?.title == nil ? nil : new?.titleType
            link = (change.new ?? change.old)?.entry.link
        }
    }

    var from: Int64
    var to: Int64
    var observations: [Figure]
    var entries: [Article]

    init(_ diff: CacheDiff) {
        from = diff.from
        to = diff.to
        observations = diff.observations.map(Figure.init)
        entries = diff.entries.map(Article.init)
    }

    /// The figures as one block per dataset (its title, the dimensions its rows share, then a
    /// column per dimension that differs, each code with its name), then the articles.
    func text(labeller: Labeller) throws -> String {
        var lines: [String] = []
        if !observations.isEmpty {
            lines.append("figures \(from)..\(to)")
            var start = 0
            while start < observations.count {
                let first = observations[start]
                var end = start + 1
                while end < observations.count && observations[end].source == first.source
                    && observations[end].dataset == first.dataset
                {
                    end += 1
                }
                let group = observations[start..<end]
                start = end
                let keys = group.map { SeriesKey(canonical: $0.series) ?? SeriesKey([]) }
                let layout = KeyLayout(keys)
                lines.append(try labeller.heading(source: first.source, dataset: first.dataset))
                lines += try labeller.sharedLines(source: first.source, dataset: first.dataset, layout: layout)
                let width = Labeller.labelWidth(columns: layout.varying.count, reserved: 50)
                var table = Table(
                    [("", .left)] + layout.varying.map { ($0, Table.Alignment.left) } + [
                        ("PERIOD", .left), ("OLD", .right), ("NEW", .right), ("CHANGE", .right), ("FLAGS", .left),
                    ])
                for (figure, key) in zip(group, keys) {
                    let change = figure.relativeChange.map { String(format: "%+.1f%%", $0 * 100) } ?? ""
                    let oldFlag = figure.old?.status ?? ""
                    let newFlag = figure.new?.status ?? ""
                    let flags =
                        figure.old != nil && figure.new != nil && oldFlag != newFlag
                        ? "\(oldFlag) → \(newFlag)" : newFlag
                    var row = [figure.kind.sign]
                    for dimension in layout.varying {
                        row.append(
                            try key[dimension].map {
                                try labeller.cell(
                                    source: figure.source, dataset: figure.dataset, dimension: dimension, code: $0,
                                    width: width)
                            } ?? "")
                    }
                    row += [figure.period, figure.old?.value ?? "", figure.new?.value ?? "", change, flags]
                    table.add(row)
                }
                lines.append(table.render())
            }
        }
        if !entries.isEmpty {
            lines.append("articles \(from)..\(to)")
            var table = Table([("", .left), ("SOURCE", .left), ("TITLE", .left), ("FIELDS", .left)])
            for article in entries {
                let sign = article.kind.sign
                table.add([
                    sign, article.source,
                    TerminalText.line(article.newTitle ?? article.oldTitle ?? article.key, limit: 70),
                    article.changedFields.joined(separator: ","),
                ])
            }
            lines.append(table.render())
        }
        return lines.joined(separator: "\n")
    }
}

extension ChangeKind {
    /// The mark a table shows in front of a change.
    var sign: String {
        switch self {
        case .added: "+"
        case .removed: "-"
        case .changed: "~"
        }
    }
}

extension DiffReport.Figure {
    /// This figure as a JSON object, keys sorted, absent values left out; `labels` gives each
    /// dimension's code and name (the series key stays codes).
    func write(to json: inout JSONStreamWriter, labels: [String: CodeName] = [:]) {
        json.beginObject()
        json.member("dataset", dataset)
        json.member("kind", kind.rawValue)
        json.key("labels")
        json.beginObject()
        for dimension in labels.keys.sorted() {
            json.key(dimension)
            json.beginObject()
            json.member("code", labels[dimension]?.code)
            json.member("name", labels[dimension]?.name)
            json.endObject()
        }
        json.endObject()
        if let new {
            json.key("new")
            new.write(to: &json)
        }
        if let old {
            json.key("old")
            old.write(to: &json)
        }
        json.member("period", period)
        if let relativeChange {
            json.key("relativeChange")
            json.number(relativeChange)
        }
        json.member("series", series)
        json.member("source", source)
        json.endObject()
    }
}

extension DiffReport.Version {
    func write(to json: inout JSONStreamWriter) {
        json.beginObject()
        json.key("attributes")
        json.beginObject()
        for name in attributes.keys.sorted() { json.member(name, attributes[name]) }
        json.endObject()
        json.key("revision")
        json.number(revision)
        json.member("status", status)
        json.member("unit", unit)
        json.member("value", value)
        json.endObject()
    }
}

extension DiffReport.Article {
    func write(to json: inout JSONStreamWriter) {
        json.beginObject()
        json.key("changedFields")
        json.beginArray()
        for field in changedFields { json.string(field) }
        json.endArray()
        json.member("key", key)
        json.member("kind", kind.rawValue)
        json.member("link", link)
        json.member("newTitle", newTitle)
        json.member("newTitleType", newTitleType?.rawValue)
        json.member("oldTitle", oldTitle)
        json.member("oldTitleType", oldTitleType?.rawValue)
        json.member("source", source)
        json.endObject()
    }
}
