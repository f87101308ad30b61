import Foundation
import GRDB
import TradeWatchModel

/// Keeps the series index current inside a write: the `series_dimension` rows `--where`
/// reads, and each series' search document in `series_fts`. Work follows series, never
/// observations: a pull indexes the series it created, and a label change rewrites the
/// documents of the series whose codes it renamed.
struct SeriesIndex {
    private let db: Database
    private var labels: CurrentLabels
    private let insertDimension: RawStatement
    private let insertDocument: RawStatement
    private let updateDocument: Statement

    /// Above this many renamed codes in one dataset, every series of it is rewritten rather
    /// than looked up code by code.
    static let wholeDatasetAbove = 200

    init(_ db: Database) throws {
        self.db = db
        labels = CurrentLabels(db)
        // Bound through the C API: a first load creates tens of thousands of series.
        insertDimension = RawStatement(
            try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO series_dimension (component, code, series_id) VALUES (?, ?, ?)"), in: db)
        insertDocument = RawStatement(
            try db.cachedStatement(sql: "INSERT INTO series_fts (rowid, document) VALUES (?, ?)"), in: db)
        updateDocument = try db.cachedStatement(sql: "UPDATE series_fts SET document = ? WHERE rowid = ?")
    }

    /// Indexes every series whose id is above `id`: those a pull created (ids grow), or all of
    /// them from 0. Read in slices, so a large cache is never listed in memory at once.
    mutating func add(seriesAbove id: Int64) throws {
        var last = id
        while true {
            let slice = try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT id, source_id, dataset, series_key FROM series WHERE id > ? ORDER BY id LIMIT 10000"),
                arguments: [last])
            guard let end = slice.last else { return }
            for row in slice {
                let (seriesID, sourceID, dataset, key): (Int64, Int64, String, String) = (
                    row[0], row[1], row[2], row[3]
                )
                let dimensions = Self.dimensions(of: key)
                for dimension in dimensions {
                    insertDimension.reset()
                    insertDimension.bind(1, dimension.id)
                    insertDimension.bind(2, dimension.value)
                    insertDimension.bind(3, seriesID)
                    try insertDimension.execute()
                }
                insertDocument.reset()
                insertDocument.bind(1, seriesID)
                insertDocument.bind(
                    2, try document(sourceID: sourceID, dataset: dataset, key: key, dimensions: dimensions))
                try insertDocument.execute()
            }
            last = end[0]
        }
    }

    /// Rewrites the documents of the series of `sourceID` whose codes have new labels
    /// (`changed`: dataset → renamed codes), among those with an id up to `id` (the others
    /// were just indexed with the labels as they are now).
    mutating func refresh(sourceID: Int64, changed: [String: Set<ComponentCode>], upTo id: Int64) throws {
        for dataset in changed.keys.sorted() {
            guard let codes = changed[dataset], !codes.isEmpty else { continue }
            var series: [Int64: String] = [:]
            if codes.count > Self.wholeDatasetAbove {
                for row in try Row.fetchAll(
                    db, sql: "SELECT id, series_key FROM series WHERE source_id = ? AND dataset = ? AND id <= ?",
                    arguments: [sourceID, dataset, id])
                {
                    series[row[0]] = row[1]
                }
            } else {
                let lookup = try db.cachedStatement(
                    sql: """
                        SELECT se.id, se.series_key FROM series_dimension d CROSS JOIN series se ON se.id = d.series_id
                        WHERE d.component = ? AND d.code = ? AND se.source_id = ? AND se.dataset = ? AND se.id <= ?
                        """)
                for code in codes {
                    for row in try Row.fetchAll(
                        lookup, arguments: [code.component, code.code, sourceID, dataset, id])
                    {
                        series[row[0]] = row[1]
                    }
                }
            }
            for seriesID in series.keys.sorted() {
                guard let key = series[seriesID] else { continue }
                let text = try document(
                    sourceID: sourceID, dataset: dataset, key: key, dimensions: Self.dimensions(of: key))
                try updateDocument.execute(arguments: [text, seriesID])
            }
        }
    }

    /// The search document of one series.
    private mutating func document(
        sourceID: Int64, dataset: String, key: String, dimensions: [SeriesKey.Dimension]
    ) throws -> String {
        try Self.document(key: key, dimensions: dimensions) { component, code in
            try labels.labels(sourceID: sourceID, dataset: dataset, component: component, code: code).map(\.name)
        }
    }

    /// A series' key dimensions, each (id, code) once; none for a key that does not read back.
    static func dimensions(of key: String) -> [SeriesKey.Dimension] {
        guard let parsed = SeriesKey(canonical: key) else { return [] }
        var seen = Set<SeriesKey.Dimension>()
        return parsed.dimensions.filter { seen.insert($0).inserted }
    }

    /// The search document of a series: a line per dimension with its id, its code and the
    /// names of the code in every language stored (each name once), in key order; a key that
    /// does not read back is its own document.
    /// - Parameter dimensions: `dimensions(of: key)`.
    static func document(
        key: String, dimensions: [SeriesKey.Dimension], names: (String, String) throws -> [String]
    ) rethrows -> String {
        guard !dimensions.isEmpty else { return key }
        var lines: [String] = []
        for dimension in dimensions {
            var seen = Set<String>()
            let distinct = try names(dimension.id, dimension.value).filter { seen.insert($0).inserted }
            lines.append(([dimension.id, dimension.value] + distinct).joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }

    /// The full-text expression that finds series by plain words: each word a quoted string
    /// (so no input is read as FTS5 syntax) matched as a prefix, all of them required; nil
    /// without words. A word without letters or digits is no condition (the tokenizer finds
    /// nothing to look for in it).
    static func match(_ words: [String]) -> String? {
        let terms = words.filter { word in
            word.unicodeScalars.contains { $0.properties.isAlphabetic || $0.properties.numericType != nil }
        }.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"*" }
        return terms.isEmpty ? nil : terms.joined(separator: " ")
    }
}

/// A component's code, the unit labels are renamed in.
struct ComponentCode: Hashable {
    var component: String
    var code: String
}

/// The current labels of codes, each looked up once per use (a pull or a listing meets the
/// same few codes again and again).
struct CurrentLabels {
    private struct Key: Hashable {
        var sourceID: Int64
        var dataset: String
        var component: String
        var code: String
    }

    private let db: Database
    private var known: [Key: [CodeLabel]] = [:]

    init(_ db: Database) { self.db = db }

    /// Every language's current label of a code, by language.
    mutating func labels(sourceID: Int64, dataset: String, component: String, code: String) throws -> [CodeLabel] {
        let key = Key(sourceID: sourceID, dataset: dataset, component: component, code: code)
        if let labels = known[key] { return labels }
        let labels = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT language, name, parent FROM code_label
                    WHERE source_id = ? AND dataset = ? AND component = ? AND code = ? AND to_rev IS NULL
                    ORDER BY language
                    """),
            arguments: [sourceID, dataset, component, code]
        ).map { CodeLabel(component: component, code: code, language: $0[0], name: $0[1], parent: $0[2]) }
        known[key] = labels
        return labels
    }
}
