import Foundation
import GRDB
public import TradeWatchCache
import TradeWatchModel

/// Writes a reproducible snapshot of the cache as of one revision: one file per table per
/// format, a Frictionless `datapackage.json` with sizes and SHA-256 hashes, and a provenance
/// README. The same revision always gives byte-identical files: rows are sorted, and no file
/// records when the export ran, only what it shows.
///
/// Everything is written to a hidden folder beside the destination, flushed to disk and renamed
/// into place at the end, so a failed export leaves nothing half-written and the previous
/// export whole. What may be replaced is decided by `ExportAction.decide`.
public struct SnapshotExporter {
    public enum Format: String, Sendable, CaseIterable {
        case csv
        case ndjson
        case sqlite
    }

    public struct Options: Sendable {
        public var revision: Int64
        public var sources: [String]?
        /// Only this dataset (`--dataset`).
        public var dataset: String?
        /// dimension → accepted codes: only series whose key has one of them (`--where`).
        public var dimensions: [String: Set<String>]
        /// Only series whose codes or labels hold every word (`--match`).
        public var words: [String]
        public var formats: [Format]
        /// Replace a previous tradewatch export (never anything else).
        public var force: Bool

        public init(
            revision: Int64, sources: [String]? = nil, dataset: String? = nil,
            dimensions: [String: Set<String>] = [:], words: [String] = [], formats: [Format] = [.csv],
            force: Bool = false
        ) {
            self.revision = revision
            self.sources = sources
            self.dataset = dataset
            self.dimensions = dimensions
            self.words = words
            self.formats = formats
            self.force = force
        }

        /// What narrows the series of every table (articles are narrowed by source alone).
        var filter: RowFilter {
            RowFilter(sources: sources, dataset: dataset, dimensions: dimensions, words: words)
        }
    }

    /// What was written.
    public struct Summary: Sendable {
        public var directory: String
        public var revision: Int64
        public var observations: Int
        public var entries: Int
        public var files: [String]
        /// Where what is left of the replaced export was put, when it held files an export
        /// does not write or its files could not be removed (nil when it was removed).
        public var previousExportKept: String?
    }

    let cache: any CacheReader
    /// How a previous export is swapped out (the fallback is chosen by tests to run it here).
    var swapStrategy = StagingFolder.SwapStrategy.exchange
    /// Called with the rows written so far, for a progress display.
    let progress: (@Sendable (Int) -> Void)?

    public init(cache: any CacheReader, progress: (@Sendable (Int) -> Void)? = nil) {
        self.cache = cache
        self.progress = progress
    }

    /// Writes the export to `directory`: never over a file, a link, or a folder that is not
    /// empty unless it is a previous tradewatch export and `options.force` is set. Throws
    /// `ExportError` (one sentence, path and reason) or the cache's `CacheError`.
    @discardableResult
    public func export(to directory: String, options: Options) throws -> Summary {
        let destination: ExportPath
        let action: ExportAction
        do {
            guard let path = try ExportPath(directory) else {
                throw ExportError(.refused, ExportRefusal.root.sentence(path: "/"))
            }
            destination = path
            let state = try ExportTargetState.inspect(path.path)
            action = ExportAction.decide(state, path: path.path, force: options.force)
        } catch let failure as SystemCalls.Failure {
            throw ExportError.system(failure, target: directory, doing: "looking at")
        }
        let placement: ExportPath
        switch action {
        case .refuse(let refusal): throw ExportError(.refused, refusal.sentence(path: destination.path))
        case .create, .replaceEmpty: placement = destination
        case .swap(let previous): placement = ExportPath(resolved: previous)
        }
        let staging = try StagingFolder.create(beside: placement, target: destination.path)
        let summary: Summary
        do {
            summary = try write(into: staging.path, options: options)
        } catch {
            staging.discard()
            throw ExportError.writing(error, target: destination.path)
        }
        let leftover = try staging.commit(action, strategy: swapStrategy)
        return Summary(
            directory: destination.path, revision: summary.revision, observations: summary.observations,
            entries: summary.entries, files: summary.files, previousExportKept: leftover)
    }

    private func write(into folder: String, options: Options) throws -> Summary {
        let filter = options.filter
        var package = DataPackage(name: "tradewatch-snapshot-r\(options.revision)", version: TradeWatch.version)
        let revisionTime = try cache.revision(options.revision)?.createdAt
        package.created = revisionTime.map(Timestamp.format)
        package.title = "tradewatch snapshot as of revision \(options.revision)"
        package.tradewatch = DataPackage.Marker(export: ExportLayout.markerVersion, revision: options.revision)
        var files: [String] = []
        var observationCount = 0
        let entries = try cache.entries(at: options.revision, sources: options.sources)
            .sorted { ($0.source, $0.entry.key) < ($1.source, $1.entry.key) }
        let progress = RowProgress(self.progress)
        // The first pass over the rows (whichever format) collects the datasets' dimensions.
        var collector: DatasetDimensionCollector? = DatasetDimensionCollector()
        var tables: DatasetTables?
        func tablesOnce(_ collected: DatasetDimensionCollector?) throws -> DatasetTables {
            if let tables { return tables }
            let made = try datasetTables(
                collected ?? DatasetDimensionCollector(), sources: options.sources, revision: options.revision)
            tables = made
            return made
        }

        for format in options.formats {
            switch format {
            case .csv, .ndjson:
                let observationFile = "observations.\(format.rawValue)"
                let entryFile = "entries.\(format.rawValue)"
                let count: Int
                let observationsFile: WrittenFile
                // CSV first: both its files in one pass when the layout is known beforehand.
                var datasetsWritten: [(DatasetTable, WrittenFile)]?
                if format == .csv, tables == nil {
                    let one = try writeCSVInOnePass(
                        folder: folder, options: options, filter: filter, progress: progress)
                    (count, observationsFile) = (one.count, one.observations)
                    collector = one.collector
                    if let laidOut = one.tables {
                        tables = laidOut
                        datasetsWritten = one.datasets
                    }
                } else {
                    (count, observationsFile) = try writeObservations(
                        folder + "/" + observationFile, format: format, revision: options.revision, filter: filter,
                        collector: &collector, progress: progress)
                }
                observationCount = count
                let entriesFile = try writeEntries(folder + "/" + entryFile, format: format, entries: entries)
                let mediatype = format == .csv ? "text/csv" : "application/x-ndjson"
                package.addResource(
                    name: "observations-\(format.rawValue)", path: observationFile, written: observationsFile,
                    format: format.rawValue, mediatype: mediatype, fields: Self.observationFields,
                    primaryKey: ["source", "dataset", "series", "period"])
                package.addResource(
                    name: "entries-\(format.rawValue)", path: entryFile, written: entriesFile, format: format.rawValue,
                    mediatype: mediatype, fields: Self.entryFields, primaryKey: ["source", "key"])
                files += [observationFile, entryFile]
                if let datasetsWritten {
                    files += addDatasetResources(datasetsWritten, format: format, package: &package)
                } else {
                    files += try writeDatasetFiles(
                        try tablesOnce(collector), format: format, folder: folder, revision: options.revision,
                        filter: filter, package: &package, progress: progress)
                }
            case .sqlite:
                observationCount = try writeSQLite(
                    folder + "/snapshot.sqlite", revision: options.revision, filter: filter, entries: entries,
                    collector: &collector, progress: progress, tables: tablesOnce)
                try package.addResource(
                    name: "snapshot-sqlite", path: "snapshot.sqlite", in: folder, format: "sqlite",
                    mediatype: "application/vnd.sqlite3",
                    description: "tables observations and entries, and one table per dataset named as its files "
                        + "without the extension (quote the name: it holds a dot), with the same columns")
                files.append("snapshot.sqlite")
            }
            collector = nil
        }
        try SystemCalls.writeNewFile(folder + "/" + ExportLayout.manifest, Array(try package.encoded()))
        let readme = provenance(
            options, time: revisionTime, observations: observationCount, entries: entries.count, files: files,
            tables: try tablesOnce(nil).tables)
        try SystemCalls.writeNewFile(folder + "/" + ExportLayout.readme, Array(readme.utf8))
        return Summary(
            directory: folder, revision: options.revision, observations: observationCount, entries: entries.count,
            files: files + [ExportLayout.manifest, ExportLayout.readme], previousExportKept: nil)
    }

    static let observationFields: [DataPackage.Field] = [
        .init(name: "source", type: "string"), .init(name: "dataset", type: "string"),
        .init(name: "series", type: "string", description: "dimension=value pairs joined with dots"),
        .init(name: "period", type: "string", description: "as published"),
        .init(name: "period_start", type: "date"), .init(name: "period_end", type: "date"),
        .init(name: "value", type: "string", description: "as published; empty when missing"),
        .init(name: "number", type: "number"), .init(name: "unit", type: "string"),
        .init(name: "unit_mult", type: "integer"), .init(name: "status", type: "string"),
        .init(name: "attributes", type: "object"), .init(name: "from_rev", type: "integer"),
    ]

    static let entryFields: [DataPackage.Field] = [
        .init(name: "source", type: "string"), .init(name: "key", type: "string"), .init(name: "id", type: "string"),
        .init(name: "title", type: "string", description: "as published"),
        .init(name: "title_type", type: "string", description: Self.typeDescription("title")),
        .init(name: "link", type: "string"), .init(name: "published", type: "datetime"),
        .init(name: "updated", type: "datetime"), .init(name: "authors", type: "string"),
        .init(name: "categories", type: "string"), .init(name: "summary", type: "string", description: "as published"),
        .init(name: "summary_type", type: "string", description: Self.typeDescription("summary")),
        .init(name: "from_rev", type: "integer"),
    ]

    static func typeDescription(_ field: String) -> String {
        "text: the \(field) is plain text; html: it is HTML markup"
    }

    private func writeObservations(
        _ path: String, format: Format, revision: Int64, filter: RowFilter,
        collector: inout DatasetDimensionCollector?, progress: RowProgress
    ) throws
        -> (Int, WrittenFile)
    {
        let writer = try RowFileWriter(path: path)
        var count = 0
        if format == .csv {
            try writer.writeRow(Self.observationFields.map(\.name))
            // The fast path: SQLite's text straight into the file, no Swift values in between.
            let columns = Self.observationFields.count
            try cache.forEachObservationText(at: revision, filter: filter) { row in
                try writer.writeRow(count: columns) { row.text($0) }
                collector?.add(row)
                count += 1
                progress.tick()
            }
            return (count, try writer.close())
        }
        // NDJSON: one object per line, keyed by the field names.
        try cache.forEachObservation(at: revision, filter: filter) { o in
            let fields: [String?] = [o.source, o.dataset, o.series] + Self.observationTail(o)
            try writer.writeLine(JSONText.object(zip(Self.observationFields.map(\.name), fields)))
            collector?.add(o)
            count += 1
            progress.tick()
        }
        return (count, try writer.close())
    }

    private func writeEntries(_ path: String, format: Format, entries: [EntryVersion]) throws -> WrittenFile {
        let writer = try RowFileWriter(path: path)
        if format == .csv { try writer.writeRow(Self.entryFields.map(\.name)) }
        for version in entries {
            let e = version.entry
            let fields: [String?] = [
                version.source, e.key, e.id, e.title, e.titleType.rawValue, e.link, e.published.map(Timestamp.format),
                e.updated.map(Timestamp.format),
                e.authors.map { [$0.name, $0.email.map { "<\($0)>" }].compactMap { $0 }.joined(separator: " ") }
                    .joined(separator: "; "),
                e.categories.joined(separator: "; "), e.summary, e.summaryType.rawValue, String(version.fromRevision),
            ]
            if format == .csv {
                try writer.writeRow(fields)
            } else {
                try writer.writeLine(JSONText.object(zip(Self.entryFields.map(\.name), fields)))
            }
        }
        return try writer.close()
    }

    private func writeSQLite(
        _ path: String, revision: Int64, filter: RowFilter, entries: [EntryVersion],
        collector: inout DatasetDimensionCollector?, progress: RowProgress,
        tables: (DatasetDimensionCollector?) throws -> DatasetTables
    ) throws
        -> Int
    {
        let queue = try DatabaseQueue(path: path)
        var count = 0
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE observations (source TEXT NOT NULL, dataset TEXT NOT NULL, series TEXT NOT NULL,
                        period TEXT NOT NULL, period_start TEXT, period_end TEXT, value TEXT, number REAL, unit TEXT,
                        unit_mult INTEGER, status TEXT, attributes TEXT, from_rev INTEGER NOT NULL,
                        PRIMARY KEY (source, dataset, series, period));
                    CREATE TABLE entries (source TEXT NOT NULL, key TEXT NOT NULL, id TEXT, title TEXT,
                        title_type TEXT NOT NULL, link TEXT, published TEXT, updated TEXT, summary TEXT,
                        summary_type TEXT NOT NULL, content TEXT, content_type TEXT NOT NULL,
                        from_rev INTEGER NOT NULL, PRIMARY KEY (source, key));
                    """)
            let insert = try db.makeStatement(sql: "INSERT INTO observations VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")
            try cache.forEachObservation(at: revision, filter: filter) { o in
                try insert.execute(arguments: [
                    o.source, o.dataset, o.series, o.period, o.periodStart, o.periodEnd, o.value, o.number, o.unit,
                    o.unitMultiplier, o.status, o.attributes.isEmpty ? nil : JSONText.sortedObject(o.attributes),
                    o.fromRevision,
                ])
                collector?.add(o)
                count += 1
                progress.tick()
            }
            try writeDatasetTables(
                try tables(collector), into: db, revision: revision, filter: filter, progress: progress)
            let entry = try db.makeStatement(sql: "INSERT INTO entries VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")
            for version in entries {
                let e = version.entry
                try entry.execute(arguments: [
                    version.source, e.key, e.id, e.title, e.titleType.rawValue, e.link,
                    e.published.map(Timestamp.format), e.updated.map(Timestamp.format), e.summary,
                    e.summaryType.rawValue, e.content, e.contentType.rawValue, version.fromRevision,
                ])
            }
        }
        try queue.vacuum()
        try queue.close()
        return count
    }

    private func provenance(
        _ options: Options, time: Date?, observations: Int, entries: Int, files: [String], tables: [DatasetTable]
    ) -> String {
        var text = """
            # tradewatch snapshot

            - Revision: \(options.revision)\(time.map { " (created \(Timestamp.format($0)))" } ?? "")
            - Sources: \(options.sources?.joined(separator: ", ") ?? "all")
            - Rows: \(observations) observations, \(entries) entries
            - Written by tradewatch \(TradeWatch.version)
            - Files: \(files.joined(separator: ", ")); `datapackage.json` lists each with its size and SHA-256.

            The same revision exported again gives byte-identical files: reproduce with
            `\(Self.command(options))`.

            """
        if !tables.isEmpty {
            text += """

                ## One table per dataset

                `observations.*` has one row per figure with the series key as one string. Each dataset also \
                has its own table (`SOURCE.DATASET.csv`, `.ndjson`, and a table of that name in \
                `snapshot.sqlite`) with a column per dimension holding its code and a `_label` column holding \
                the code's name (English when given, empty when none is stored): filter by partner without \
                splitting the key. Column order is the dataset structure's when one is stored. Names are the \
                labels as of this revision. `datapackage.json` describes every column and gives each table's \
                source and dataset as stored.

                """
        }
        return text
    }

    /// The command that writes this export again (arguments quoted for a POSIX shell).
    static func command(_ options: Options) -> String {
        var arguments = ["tradewatch", "export", "--as-of", String(options.revision)]
        for source in options.sources ?? [] { arguments += ["--source", source] }
        if let dataset = options.dataset { arguments += ["--dataset", dataset] }
        for dimension in options.dimensions.keys.sorted() {
            let codes = (options.dimensions[dimension] ?? []).sorted().joined(separator: "+")
            arguments += ["--where", dimension + "=" + codes]
        }
        if !options.words.isEmpty { arguments += ["--match", options.words.joined(separator: " ")] }
        return arguments.map(shellQuoted).joined(separator: " ")
    }

    private static func shellQuoted(_ argument: String) -> String {
        let plain =
            !argument.isEmpty
            && argument.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || "-_=+.,/:@~".unicodeScalars.contains($0)
            }
        if plain { return argument }
        return "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
