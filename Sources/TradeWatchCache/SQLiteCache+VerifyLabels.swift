import Foundation
import GRDB
import TradeWatchModel

extension SQLiteCache {
    /// The invariants of labels and structures: versioned like observations, and counted by
    /// the revisions that wrote them.
    static func labelChecks(_ db: Database) throws -> [VerifyReport.Check] {
        var checks: [VerifyReport.Check] = []
        func check(_ name: String, _ sql: String, _ describe: (Row) -> String) throws {
            let rows = try Row.fetchAll(db, sql: sql + " LIMIT 5")
            checks.append(VerifyReport.Check(name: name, passed: rows.isEmpty, violations: rows.map(describe)))
        }
        let tables = [
            ("code_label", "source_id, dataset, component, code, language"),
            ("dataset_structure", "source_id, dataset"),
        ]
        for (table, key) in tables {
            let named = "'source ' || source_id || ', ' || \(key.replacingOccurrences(of: ", ", with: " || '/' || "))"
            try check(
                "\(table): at most one open version per identity",
                "SELECT \(named), count(*) FROM \(table) WHERE to_rev IS NULL GROUP BY \(key) HAVING count(*) > 1"
            ) { "\($0.verifyText(0)) has \($0.verifyText(1)) open versions" }
            try check(
                "\(table): from_rev < to_rev",
                "SELECT \(named), from_rev, to_rev FROM \(table) WHERE to_rev IS NOT NULL AND to_rev <= from_rev"
            ) { "\($0.verifyText(0)) opens at \($0.verifyText(1)) and closes at \($0.verifyText(2))" }
            try check(
                "\(table): version intervals of one identity do not overlap",
                """
                SELECT \(named), from_rev, previous_to FROM (
                    SELECT \(key), from_rev, lag(to_rev) OVER w AS previous_to, row_number() OVER w AS n
                    FROM \(table) WINDOW w AS (PARTITION BY \(key) ORDER BY from_rev))
                WHERE n > 1 AND (previous_to IS NULL OR previous_to > from_rev)
                """
            ) {
                "\($0.verifyText(0)): a version opens at \($0.verifyText(1)) before the previous one closes "
                    + "(\($0.verifyText(2)))"
            }
            try check(
                "\(table): every revision referenced exists, of the same source",
                """
                SELECT \(named), from_rev, to_rev FROM \(table) t
                WHERE NOT EXISTS (SELECT 1 FROM revision r WHERE r.id = t.from_rev AND r.source_id = t.source_id)
                   OR (to_rev IS NOT NULL
                       AND NOT EXISTS (SELECT 1 FROM revision r WHERE r.id = t.to_rev AND r.source_id = t.source_id))
                """
            ) { "\($0.verifyText(0)) names revisions \($0.verifyText(1))..\($0.verifyText(2)), not all recorded" }
        }
        try check(
            "revision label counts match the labels and structures they opened and closed",
            """
            SELECT r.id, r.labels, coalesce(t.n, 0) AS touched FROM revision r LEFT JOIN (
                SELECT rev, count(*) AS n FROM (
                    SELECT DISTINCT 'label' AS kind, source_id, dataset, component, code, language, rev FROM (
                        SELECT source_id, dataset, component, code, language, from_rev AS rev FROM code_label
                        UNION ALL
                        SELECT source_id, dataset, component, code, language, to_rev FROM code_label
                        WHERE to_rev IS NOT NULL)
                    UNION ALL
                    SELECT DISTINCT 'structure', source_id, dataset, NULL, NULL, NULL, rev FROM (
                        SELECT source_id, dataset, from_rev AS rev FROM dataset_structure
                        UNION ALL
                        SELECT source_id, dataset, to_rev FROM dataset_structure WHERE to_rev IS NOT NULL))
                GROUP BY rev) t ON t.rev = r.id
            WHERE r.labels != touched
            """
        ) { "revision \($0.verifyText(0)) counts \($0.verifyText(1)) labels but touched \($0.verifyText(2))" }
        return checks
    }

    /// The series index against the series table: each series' dimension rows are its key's,
    /// and its search document is the one its key and the current labels of its codes make.
    static func seriesIndexChecks(_ db: Database) throws -> [VerifyReport.Check] {
        // Read in one walk each, in series order: a series of the index is compared with the
        // key it was made from, never looked up one by one.
        var dimensions: [Int64: Set<SeriesKey.Dimension>] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT series_id, component, code FROM series_dimension") {
            dimensions[row[0], default: []].insert(SeriesKey.Dimension(id: row[1], value: row[2]))
        }
        var documents: [Int64: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT rowid, document FROM series_fts") { documents[row[0]] = row[1] }

        var dimensionViolations: [String] = []
        var documentViolations: [String] = []
        var labels = CurrentLabels(db)
        let series = try Row.fetchCursor(db, sql: "SELECT id, source_id, dataset, series_key FROM series ORDER BY id")
        while let row = try series.next() {
            let (id, sourceID, dataset, key): (Int64, Int64, String, String) = (row[0], row[1], row[2], row[3])
            let expected = SeriesIndex.dimensions(of: key)
            if dimensions.removeValue(forKey: id) ?? [] != Set(expected) {
                dimensionViolations.append("series \(id) (\(key)): its dimension rows are not its key's")
            }
            let document = try SeriesIndex.document(key: key, dimensions: expected) { component, code in
                try labels.labels(sourceID: sourceID, dataset: dataset, component: component, code: code).map(\.name)
            }
            switch documents.removeValue(forKey: id) {
            case nil: documentViolations.append("series \(id) (\(key)): no search document")
            case document?: break
            default: documentViolations.append("series \(id) (\(key)): its search document is stale")
            }
        }
        for id in dimensions.keys.sorted() { dimensionViolations.append("dimension rows name series \(id), unknown") }
        for id in documents.keys.sorted() { documentViolations.append("a search document names series \(id), unknown") }
        return [
            VerifyReport.Check(
                name: "series index: each series' dimension rows are its key's",
                passed: dimensionViolations.isEmpty, violations: Array(dimensionViolations.prefix(5))),
            VerifyReport.Check(
                name: "series index: each series' search document is its key and its codes' current labels",
                passed: documentViolations.isEmpty, violations: Array(documentViolations.prefix(5))),
        ]
    }
}
