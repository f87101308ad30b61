import Foundation
import GRDB
import TradeWatchCache
import TradeWatchModel

/// The per-dataset tables (`SOURCE.DATASET.csv` and `.ndjson`, a table each in
/// `snapshot.sqlite`): what `observations.*` holds, with a code and a label column per
/// dimension so that an analyst filters by partner without splitting the key.
///
/// Their columns depend on every exported key of the dataset, so they are written in a second
/// pass over the rows, after the pass that writes `observations.*` has collected the keys'
/// dimensions. Both passes read the same revision, which no later pull changes.
extension SnapshotExporter {
    /// The tables of one export, in the order the rows come (source, dataset), with each
    /// dataset's labels as of the exported revision.
    struct DatasetTables {
        var tables: [DatasetTable]
        var index: [DatasetID: Int]
        var labels: [DatasetID: DatasetLabels]

        func table(_ id: DatasetID) throws -> (DatasetTable, DatasetLabels) {
            guard let position = index[id] else {
                // The first pass saw every dataset of this revision: a new one means the rows changed.
                throw ExportError(
                    .write,
                    "the cache's rows changed while the export read them: dataset \(id.dataset) of \(id.source) "
                        + "was not there on the first pass")
            }
            return (tables[position], labels[id] ?? DatasetLabels())
        }
    }

    /// The tables for the datasets the first pass saw, with their structures and labels (read
    /// here, never inside a row callback: the cache's reads do not nest).
    func datasetTables(
        _ collected: DatasetDimensionCollector, sources: [String]?, revision: Int64
    ) throws -> DatasetTables {
        guard !collected.order.isEmpty else { return DatasetTables(tables: [], index: [:], labels: [:]) }
        var structures = [DatasetID: DatasetStructure]()
        // Structures and names as of the exported revision: the same revision, the same bytes,
        // whatever was renamed since.
        for info in try cache.datasets(sources: sources, at: revision) {
            if let structure = info.structure {
                structures[DatasetID(source: info.source, dataset: info.dataset)] = structure
            }
        }
        let stems = DatasetTableNames.stems(for: collected.order)
        var tables = [DatasetTable]()
        var index = [DatasetID: Int]()
        var labels = [DatasetID: DatasetLabels]()
        for id in collected.order {
            index[id] = tables.count
            tables.append(
                DatasetTable(
                    id: id, stem: stems[id] ?? "_._", structure: structures[id],
                    keyDimensions: collected.dimensions[id] ?? []))
            labels[id] = try cache.labels(source: id.source, dataset: id.dataset, at: revision)
        }
        return DatasetTables(tables: tables, index: index, labels: labels)
    }

    /// Writes one file per dataset in `format` (csv or ndjson) and adds each to `package`;
    /// returns the file names.
    func writeDatasetFiles(
        _ tables: DatasetTables, format: Format, folder: String, revision: Int64, filter: RowFilter,
        package: inout DataPackage, progress: RowProgress
    ) throws -> [String] {
        var written = [(DatasetTable, WrittenFile)]()
        if format == .csv {
            try writeDatasetCSV(tables, folder: folder, revision: revision, filter: filter, progress: progress) {
                written.append(($0, $1))
            }
        } else {
            try writeDatasetNDJSON(tables, folder: folder, revision: revision, filter: filter, progress: progress) {
                written.append(($0, $1))
            }
        }
        return addDatasetResources(written, format: format, package: &package)
    }

    /// Adds each dataset file written to `package`; returns the file names.
    func addDatasetResources(
        _ written: [(DatasetTable, WrittenFile)], format: Format, package: inout DataPackage
    ) -> [String] {
        let mediatype = format == .csv ? "text/csv" : "application/x-ndjson"
        for (table, file) in written {
            let path = table.stem + "." + format.rawValue
            package.addResource(
                name: table.stem.lowercased() + "-" + format.rawValue, path: path, written: file,
                format: format.rawValue, mediatype: mediatype, fields: table.fields,
                primaryKey: ["source", "dataset", "series", "period"], title: table.title,
                description: "the observations of dataset \(table.id.dataset) of source \(table.id.source), "
                    + "a code and a label column per dimension",
                origin: DataPackage.Origin(
                    source: table.id.source, dataset: table.id.dataset, table: table.stem,
                    structure: table.structureReference))
        }
        return written.map { $0.0.stem + "." + format.rawValue }
    }

    /// The CSV files, from the cache's text rows: the key's cells are made once per series.
    /// `alongside` sees every row first (the one-pass export writes `observations.csv` there).
    func writeDatasetCSV(
        _ tables: DatasetTables, folder: String, revision: Int64, filter: RowFilter, progress: RowProgress,
        alongside: ((ObservationTextRow) throws -> Void)? = nil, finished: (DatasetTable, WrittenFile) -> Void
    ) throws {
        var open: (table: DatasetTable, writer: RowFileWriter)?
        var series = SeriesTracker()
        var cellBytes = [UInt8]()
        var cellRanges = [Range<Int>?]()
        try cache.forEachObservationText(at: revision, filter: filter) { row in
            try alongside?(row)
            if series.changed(row.text(0), row.text(1), row.text(2)) {
                let id = series.id
                if open?.table.id != id {
                    if let open { finished(open.table, try open.writer.close(sync: false)) }
                    let (table, _) = try tables.table(id)
                    let writer = try RowFileWriter(path: folder + "/" + table.stem + ".csv")
                    try writer.writeRow(table.columnNames)
                    open = (table, writer)
                }
                guard let table = open?.table else { return }
                let labels = tables.labels[id] ?? DatasetLabels()
                cellBytes.removeAll(keepingCapacity: true)
                cellRanges = table.cells(key: series.key, labels: labels).map { cell in
                    guard let cell, !cell.isEmpty else { return nil }
                    let start = cellBytes.count
                    cellBytes.append(contentsOf: cell.utf8)
                    return start..<cellBytes.count
                }
            }
            guard let writer = open?.writer else { return }
            let dimensions = cellRanges.count
            let count = SnapshotExporter.observationFields.count + dimensions
            try cellBytes.withUnsafeBufferPointer { base in
                try writer.writeRow(count: count) { column in
                    if column < 3 { return row.text(column) }
                    if column < 3 + dimensions {
                        return cellRanges[column - 3].map { UnsafeBufferPointer(rebasing: base[$0]) }
                    }
                    return row.text(column - dimensions)
                }
            }
            progress.tick()
        }
        if let open { finished(open.table, try open.writer.close(sync: false)) }
    }

    private func writeDatasetNDJSON(
        _ tables: DatasetTables, folder: String, revision: Int64, filter: RowFilter, progress: RowProgress,
        finished: (DatasetTable, WrittenFile) -> Void
    ) throws {
        var open: (table: DatasetTable, writer: RowFileWriter, names: [String])?
        var last: (id: DatasetID, key: String)?
        var cells = [String?]()
        try cache.forEachObservation(at: revision, filter: filter) { o in
            let id = DatasetID(source: o.source, dataset: o.dataset)
            if last?.id != id || last?.key != o.series {
                last = (id, o.series)
                if open?.table.id != id {
                    if let open { finished(open.table, try open.writer.close(sync: false)) }
                    let (table, _) = try tables.table(id)
                    open = (table, try RowFileWriter(path: folder + "/" + table.stem + ".ndjson"), table.columnNames)
                }
                guard let table = open?.table else { return }
                cells = table.cells(key: o.series, labels: tables.labels[id] ?? DatasetLabels())
            }
            guard let open else { return }
            let fields = [o.source, o.dataset, o.series] + cells + Self.observationTail(o)
            try open.writer.writeLine(JSONText.object(zip(open.names, fields)))
            progress.tick()
        }
        if let open { finished(open.table, try open.writer.close(sync: false)) }
    }

    /// `observations.csv` and the dataset tables in one pass over the rows, when the tables'
    /// layout (which datasets, which dimensions) can be told from the series the filter
    /// selects, before the rows. The series list may hold series with no row at this revision:
    /// the layout the rows show is checked against it at the end, and when they differ the
    /// dataset files are removed and nil returned, for the two-pass way (so the bytes are the
    /// same either way). Returns the rows written, the observations file, the layout and the
    /// dataset files.
    func writeCSVInOnePass(
        folder: String, options: Options, filter: RowFilter, progress: RowProgress
    ) throws -> (
        count: Int, observations: WrittenFile, collector: DatasetDimensionCollector, tables: DatasetTables?,
        datasets: [(DatasetTable, WrittenFile)]
    ) {
        var guess = DatasetDimensionCollector()
        let query = SeriesQuery(
            words: filter.words, sources: filter.sources, dataset: filter.dataset, dimensions: filter.dimensions,
            keyGlob: filter.keyGlob, summaries: false)
        for series in try cache.series(query) {
            guess.add(DatasetID(source: series.source, dataset: series.dataset), key: series.key)
        }
        let tables = try datasetTables(guess, sources: options.sources, revision: options.revision)
        let writer = try RowFileWriter(path: folder + "/observations.csv")
        try writer.writeRow(Self.observationFields.map(\.name))
        let columns = Self.observationFields.count
        var seen = DatasetDimensionCollector()
        var count = 0
        var written = [(DatasetTable, WrittenFile)]()
        try writeDatasetCSV(
            tables, folder: folder, revision: options.revision, filter: filter, progress: progress,
            alongside: { row in
                try writer.writeRow(count: columns) { row.text($0) }
                seen.add(row)
                count += 1
            },
            finished: { written.append(($0, $1)) })
        let observations = try writer.close()
        guard seen.sameLayout(as: guess) else {
            for (table, _) in written { try SystemCalls.removeFile(folder + "/" + table.stem + ".csv") }
            return (count, observations, seen, nil, [])
        }
        return (count, observations, seen, tables, written)
    }

    /// An observation's fields after the key (`period` to `from_rev`), as `observations.ndjson` writes them.
    static func observationTail(_ o: ObservationVersion) -> [String?] {
        [
            o.period, o.periodStart, o.periodEnd, o.value, o.number.map { String($0) }, o.unit,
            o.unitMultiplier.map(String.init), o.status,
            o.attributes.isEmpty ? nil : JSONText.sortedObject(o.attributes), String(o.fromRevision),
        ]
    }

    /// Creates each dataset's table in the snapshot and fills it, inside the snapshot's write
    /// transaction.
    func writeDatasetTables(
        _ tables: DatasetTables, into db: Database, revision: Int64, filter: RowFilter, progress: RowProgress
    ) throws {
        for table in tables.tables {
            let columns = table.fields.map { field -> String in
                var column = SQLName.quoted(field.name) + " " + SQLName.type(of: field.type)
                if ["source", "dataset", "series", "period", "from_rev"].contains(field.name) { column += " NOT NULL" }
                return column
            }
            try db.execute(
                sql: "CREATE TABLE \(SQLName.quoted(table.stem)) (\(columns.joined(separator: ", ")), "
                    + "PRIMARY KEY (series, period))")
        }
        var open: (id: DatasetID, insert: Statement)?
        var last: (id: DatasetID, key: String)?
        var cells = [String?]()
        try cache.forEachObservation(at: revision, filter: filter) { o in
            let id = DatasetID(source: o.source, dataset: o.dataset)
            if last?.id != id || last?.key != o.series {
                last = (id, o.series)
                let (table, labels) = try tables.table(id)
                if open?.id != id {
                    let marks = Array(repeating: "?", count: table.fields.count).joined(separator: ",")
                    open = (
                        id, try db.makeStatement(sql: "INSERT INTO \(SQLName.quoted(table.stem)) VALUES (\(marks))")
                    )
                }
                cells = table.cells(key: o.series, labels: labels)
            }
            guard let insert = open?.insert else { return }
            var values: [(any DatabaseValueConvertible)?] = [o.source, o.dataset, o.series]
            values += cells.map { $0 as (any DatabaseValueConvertible)? }
            values += [
                o.period, o.periodStart, o.periodEnd, o.value, o.number, o.unit, o.unitMultiplier, o.status,
                o.attributes.isEmpty ? nil : JSONText.sortedObject(o.attributes), o.fromRevision,
            ]
            try insert.execute(arguments: StatementArguments(values))
            progress.tick()
        }
    }
}

/// SQL identifiers for the snapshot's tables and columns.
enum SQLName {
    /// `name` as a quoted identifier: whatever it holds, it is one name.
    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// The column type for a data-package field type.
    static func type(of fieldType: String) -> String {
        switch fieldType {
        case "number": "REAL"
        case "integer": "INTEGER"
        default: "TEXT"
        }
    }
}

/// The series of the previous text row, to notice when the next one starts another.
struct SeriesTracker {
    private var bytes: ([UInt8], [UInt8], [UInt8]) = ([], [], [])
    private var started = false
    private(set) var id = DatasetID(source: "", dataset: "")
    private(set) var key = ""

    /// Whether (source, dataset, key) differs from the previous call's; when it does, the
    /// new values are kept as text.
    mutating func changed(
        _ source: UnsafeBufferPointer<UInt8>?, _ dataset: UnsafeBufferPointer<UInt8>?,
        _ key: UnsafeBufferPointer<UInt8>?
    ) -> Bool {
        let source = source ?? UnsafeBufferPointer(start: nil, count: 0)
        let datasetBytes = dataset ?? UnsafeBufferPointer(start: nil, count: 0)
        let key = key ?? UnsafeBufferPointer(start: nil, count: 0)
        if started, Self.same(bytes.2, key), Self.same(bytes.1, datasetBytes), Self.same(bytes.0, source) {
            return false
        }
        started = true
        bytes = (Array(source), Array(datasetBytes), Array(key))
        id = DatasetID(
            source: String(decoding: bytes.0, as: UTF8.self), dataset: String(decoding: bytes.1, as: UTF8.self))
        self.key = String(decoding: bytes.2, as: UTF8.self)
        return true
    }
}

extension SeriesTracker {
    /// Byte equality by `memcmp`: called for every row, where a generic comparison shows.
    fileprivate static func same(_ kept: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard kept.count == bytes.count else { return false }
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return true }
        return kept.withUnsafeBufferPointer { kept in
            guard let start = kept.baseAddress else { return false }
            return memcmp(start, base, bytes.count) == 0
        }
    }
}

/// Counts the rows an export writes, across its files, for the progress display.
final class RowProgress {
    private var rows = 0
    private let report: (@Sendable (Int) -> Void)?

    init(_ report: (@Sendable (Int) -> Void)?) { self.report = report }

    func tick() {
        rows += 1
        if rows % 100_000 == 0 { report?(rows) }
    }
}
