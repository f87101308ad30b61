import GRDB

/// The outcome of `SQLiteCache.verify()`: each check by name, with what broke it.
public struct VerifyReport: Sendable, Codable {
    public struct Check: Sendable, Codable {
        public var name: String
        public var passed: Bool
        /// The first violations found (at most a few), in words.
        public var violations: [String]
    }

    public var checks: [Check]
    public var passed: Bool { checks.allSatisfy(\.passed) }
}

extension Row {
    /// A column as `verify` names it in a violation.
    func verifyText(_ index: Int) -> String {
        let value: DatabaseValue = self[index]
        switch value.storage {
        case .null: return "NULL"
        case .int64(let number): return String(number)
        case .double(let number): return String(number)
        case .string(let string): return string
        case .blob(let data): return "<\(data.count) bytes>"
        }
    }
}

extension SQLiteCache {
    /// SQLite's `PRAGMA quick_check` (pages, records, free lists; not the indexes' contents):
    /// the first few problems found, empty when the file is sound. Runs on a reader
    /// connection, so the daemon keeps writing meanwhile; blocks the calling thread.
    public func quickCheck() throws -> [String] {
        do {
            let lines = try pool.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check(20)") }
            return lines == ["ok"] ? [] : lines
        } catch let error as DatabaseError
            where error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB
        {
            return ["\(error.message ?? "SQLite error") (\(error.resultCode))"]
        }
    }

    /// Checks SQLite's integrity and the cache's own invariants. Read-only.
    public func verify() throws -> VerifyReport {
        try read { db in
            var checks: [VerifyReport.Check] = []
            func check(_ name: String, _ sql: String, _ describe: (Row) -> String) throws {
                let rows = try Row.fetchAll(db, sql: sql + " LIMIT 5")
                checks.append(VerifyReport.Check(name: name, passed: rows.isEmpty, violations: rows.map(describe)))
            }
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            checks.append(
                VerifyReport.Check(
                    name: "sqlite integrity_check", passed: integrity == ["ok"],
                    violations: integrity == ["ok"] ? [] : Array(integrity.prefix(5))))

            for (table, key) in [("observation", "series_id, period"), ("entry", "source_id, entry_key")] {
                try check(
                    "\(table): at most one open version per key",
                    "SELECT \(key), count(*) FROM \(table) WHERE to_rev IS NULL GROUP BY \(key) HAVING count(*) > 1"
                ) { "key \($0.verifyText(0))/\($0.verifyText(1)) has \($0.verifyText(2)) open versions" }
                try check(
                    "\(table): from_rev < to_rev",
                    "SELECT \(key), from_rev, to_rev FROM \(table) WHERE to_rev IS NOT NULL AND to_rev <= from_rev"
                ) {
                    "key \($0.verifyText(0))/\($0.verifyText(1)) opens at \($0.verifyText(2)) and closes at \($0.verifyText(3))"
                }
                try check(
                    "\(table): version intervals of one key do not overlap",
                    """
                    SELECT \(key), from_rev, previous_to FROM (
                        SELECT \(key), from_rev, lag(to_rev) OVER w AS previous_to, row_number() OVER w AS n
                        FROM \(table) WINDOW w AS (PARTITION BY \(key) ORDER BY from_rev))
                    WHERE n > 1 AND (previous_to IS NULL OR previous_to > from_rev)
                    """
                ) {
                    "key \($0.verifyText(0))/\($0.verifyText(1)): a version opens at \($0.verifyText(2)) before the previous one "
                        + "closes (\($0.verifyText(3)))"
                }
                try check(
                    "\(table): every revision referenced exists",
                    """
                    SELECT \(key), from_rev, to_rev FROM \(table) t
                    WHERE NOT EXISTS (SELECT 1 FROM revision r WHERE r.id = t.from_rev)
                       OR (to_rev IS NOT NULL AND NOT EXISTS (SELECT 1 FROM revision r WHERE r.id = t.to_rev))
                    """
                ) {
                    "key \($0.verifyText(0))/\($0.verifyText(1)) names revisions \($0.verifyText(2))..\($0.verifyText(3)), not all recorded"
                }
            }
            try check(
                "every observation belongs to a known series",
                "SELECT DISTINCT series_id FROM observation WHERE series_id NOT IN (SELECT id FROM series)"
            ) { "observations name series \($0.verifyText(0)), which does not exist" }
            try check(
                "revision counts match the rows they opened and closed",
                """
                SELECT r.id, r.added, r.changed, r.removed, opened, closed FROM revision r
                JOIN (SELECT r2.id AS rid,
                        (SELECT count(*) FROM observation WHERE from_rev = r2.id)
                          + (SELECT count(*) FROM entry WHERE from_rev = r2.id) AS opened,
                        (SELECT count(*) FROM observation WHERE to_rev = r2.id)
                          + (SELECT count(*) FROM entry WHERE to_rev = r2.id) AS closed
                      FROM revision r2) c ON c.rid = r.id
                WHERE opened != r.added + r.changed OR closed != r.removed + r.changed
                """
            ) {
                "revision \($0.verifyText(0)) says +\($0.verifyText(1)) ~\($0.verifyText(2)) -\($0.verifyText(3)) but opened \($0.verifyText(4)) and closed \($0.verifyText(5)) rows"
            }
            try check(
                "the change log holds exactly what each revision closed and what replaced it",
                """
                SELECT 'logged but not closed then', c.revision, c.series_id, c.period FROM observation_change c
                WHERE c.side = 0 AND NOT EXISTS (SELECT 1 FROM observation o WHERE o.series_id = c.series_id
                    AND o.period = c.period AND o.from_rev = c.from_rev AND o.to_rev = c.revision)
                UNION ALL
                SELECT 'logged but not opened then', c.revision, c.series_id, c.period FROM observation_change c
                WHERE c.side = 1 AND (c.from_rev != c.revision OR NOT EXISTS (SELECT 1 FROM observation o
                    WHERE o.series_id = c.series_id AND o.period = c.period AND o.from_rev = c.revision))
                UNION ALL
                SELECT 'closed but not logged', o.to_rev, o.series_id, o.period FROM observation o
                WHERE o.to_rev >= (SELECT value FROM cache_setting WHERE name = 'change_log_from')
                    AND NOT EXISTS (SELECT 1 FROM observation_change c WHERE c.revision = o.to_rev
                        AND c.series_id = o.series_id AND c.period = o.period AND c.side = 0)
                UNION ALL
                SELECT 'replaced but not logged', o.from_rev, o.series_id, o.period FROM observation o
                WHERE o.from_rev >= (SELECT value FROM cache_setting WHERE name = 'change_log_from')
                    AND EXISTS (SELECT 1 FROM observation p WHERE p.series_id = o.series_id AND p.period = o.period
                        AND p.to_rev = o.from_rev)
                    AND NOT EXISTS (SELECT 1 FROM observation_change c WHERE c.revision = o.from_rev
                        AND c.series_id = o.series_id AND c.period = o.period AND c.side = 1)
                """
            ) { "revision \($0.verifyText(1)), series \($0.verifyText(2)) at \($0.verifyText(3)): \($0.verifyText(0))" }
            try check(
                "full-text index holds exactly the current entries",
                """
                SELECT 'missing from index', id FROM entry WHERE to_rev IS NULL AND id NOT IN (SELECT rowid FROM entry_fts)
                UNION ALL
                SELECT 'stale in index', rowid FROM entry_fts WHERE rowid NOT IN (SELECT id FROM entry WHERE to_rev IS NULL)
                """
            ) { "entry \($0.verifyText(1)): \($0.verifyText(0))" }
            try check(
                "per-source row counts match the current rows",
                """
                SELECT st.source_id, st.current_observations, st.current_entries,
                    (SELECT count(*) FROM observation o JOIN series se ON se.id = o.series_id
                        WHERE se.source_id = st.source_id AND o.to_rev IS NULL) AS obs,
                    (SELECT count(*) FROM entry e WHERE e.source_id = st.source_id AND e.to_rev IS NULL) AS ent
                FROM source_state st WHERE st.current_observations != obs OR st.current_entries != ent
                """
            ) {
                "source \($0.verifyText(0)) counts \($0.verifyText(1)) observations and \($0.verifyText(2)) entries, holds \($0.verifyText(3)) and \($0.verifyText(4))"
            }
            checks += try Self.labelChecks(db)
            checks += try Self.seriesIndexChecks(db)
            return VerifyReport(checks: checks)
        }
    }
}
