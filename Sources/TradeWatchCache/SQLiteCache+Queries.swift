public import Foundation
import GRDB
public import TradeWatchModel

extension SQLiteCache {
    /// The revision a point names; 0 when the cache has no revision at or before it.
    public func resolve(_ point: RevisionPoint) throws -> Int64 {
        try read { db in try Self.resolve(point, db) }
    }

    static func resolve(_ point: RevisionPoint, _ db: Database) throws -> Int64 {
        switch point {
        case .latest:
            return try Int64.fetchOne(db, sql: "SELECT max(id) FROM revision") ?? 0
        case .beforeLatest(let back):
            return try Int64.fetchOne(
                db, sql: "SELECT id FROM revision ORDER BY id DESC LIMIT 1 OFFSET ?", arguments: [back]) ?? 0
        case .revision(let id):
            if id == 0 { return 0 }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM revision WHERE id = ?", arguments: [id]) == true else {
                throw CacheError(.notFound, "no revision \(id) in the cache")
            }
            return id
        case .time(let date):
            return try Int64.fetchOne(
                db, sql: "SELECT max(id) FROM revision WHERE created_at <= ?", arguments: [Timestamp.format(date)])
                ?? 0
        }
    }

    /// Runs `body` in one read transaction: every query inside sees the same revisions.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch let error as DatabaseError {
            throw CacheError.database(error, path: path)
        }
    }

    // MARK: As of

    /// Streams the observations visible at `revision` without holding them all in memory.
    public func forEachObservation(
        at revision: Int64, filter: RowFilter, _ body: (ObservationVersion) throws -> Void
    ) throws {
        let (clause, arguments) = Self.filterSQL(filter, table: "o")
        try read { db in
            try Self.forEachObservationRow(
                db,
                sql: """
                    SELECT \(Self.observationColumns) FROM observation o JOIN series se ON se.id = o.series_id
                    JOIN source s ON s.id = se.source_id
                    WHERE o.from_rev <= ? AND (o.to_rev IS NULL OR o.to_rev > ?) \(clause)
                    ORDER BY s.name, se.dataset, se.series_key, o.period_start, o.period
                    """,
                arguments: StatementArguments([revision, revision]) + arguments, body)
        }
    }

    /// Streams the observations visible at `revision` as the text SQLite holds, without making
    /// Swift values: the fast path for exports. Columns are those of `ObservationTextRow`; the
    /// order is `forEachObservation`'s (source, dataset, series, period start, period).
    ///
    /// Series are listed in that order first, then each series' rows are read through the
    /// observation table's primary key and ordered within the series: the same rows in the
    /// same order as one ORDER BY over the join, without sorting the whole table.
    public func forEachObservationText(
        at revision: Int64, filter: RowFilter, _ body: (ObservationTextRow) throws -> Void
    ) throws {
        let (clause, arguments) = Self.filterSQL(filter, table: "o")
        try read { db in
            var series: [(id: Int64, text: [[UInt8]])] = []
            let list = try db.makeStatement(
                sql: """
                    SELECT se.id, s.name, se.dataset, se.series_key FROM series se JOIN source s ON s.id = se.source_id
                    WHERE 1 \(clause) ORDER BY s.name, se.dataset, se.series_key
                    """)
            try list.setArguments(arguments)
            let listing = RawStatement(list, in: db)
            while try listing.step() {
                series.append(
                    (
                        listing.int64(0),
                        (1...3).map { Array(listing.bytes(Int32($0)) ?? UnsafeBufferPointer(start: nil, count: 0)) }
                    ))
            }
            let rows = RawStatement(
                try db.makeStatement(
                    sql: """
                        SELECT o.period, o.period_start, o.period_end, o.value, o.number, o.unit, o.unit_mult,
                            o.status, o.attributes, o.from_rev, o.to_rev
                        FROM observation o WHERE o.series_id = ? AND o.from_rev <= ? AND (o.to_rev IS NULL OR o.to_rev > ?)
                        ORDER BY o.period_start, o.period
                        """), in: db)
            for (id, text) in series {
                rows.reset()
                rows.bind(1, id)
                rows.bind(2, revision)
                rows.bind(3, revision)
                try text[0].withUnsafeBufferPointer { source in
                    try text[1].withUnsafeBufferPointer { dataset in
                        try text[2].withUnsafeBufferPointer { key in
                            let row = ObservationTextRow(statement: rows, series: (source, dataset, key))
                            while try rows.step() { try body(row) }
                        }
                    }
                }
            }
            rows.reset()
        }
    }

    /// The entries visible at `revision`, newest first.
    public func entries(at revision: Int64, sources: [String]?) throws -> [EntryVersion] {
        let (clause, arguments) = Self.filterSQL(RowFilter(sources: sources), table: "e")
        return try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.entryColumns) FROM entry e JOIN source s ON s.id = e.source_id
                    WHERE e.from_rev <= ? AND (e.to_rev IS NULL OR e.to_rev > ?) \(clause)
                    ORDER BY coalesce(e.published, e.updated) DESC, s.name, e.entry_key
                    """,
                arguments: StatementArguments([revision, revision]) + arguments
            ).map(Self.entryVersion)
        }
    }

    // MARK: History

    /// Every version of one observation, oldest first.
    public func history(source: String?, key: ObservationKey) throws -> [ObservationVersion] {
        var sql = """
            SELECT \(Self.observationColumns) FROM observation o JOIN series se ON se.id = o.series_id JOIN source s ON s.id = se.source_id
            WHERE se.series_key = ? AND o.period = ? AND se.dataset = ?
            """
        var arguments: StatementArguments = [key.series, key.period, key.dataset]
        if let source {
            sql += " AND s.name = ?"
            arguments += [source]
        }
        return try read { db in
            var versions: [ObservationVersion] = []
            try Self.forEachObservationRow(db, sql: sql + " ORDER BY s.name, o.from_rev", arguments: arguments) {
                versions.append($0)
            }
            return versions
        }
    }

    /// Every version of the observations of one series and period in any dataset, oldest
    /// first: what `tradewatch history SERIES@PERIOD` shows when no dataset is named.
    public func history(source: String?, series: String, period: String) throws -> [ObservationVersion] {
        var sql = """
            SELECT \(Self.observationColumns) FROM observation o JOIN series se ON se.id = o.series_id JOIN source s ON s.id = se.source_id
            WHERE se.series_key = ? AND o.period = ?
            """
        var arguments: StatementArguments = [series, period]
        if let source {
            sql += " AND s.name = ?"
            arguments += [source]
        }
        return try read { db in
            var versions: [ObservationVersion] = []
            try Self.forEachObservationRow(
                db, sql: sql + " ORDER BY s.name, se.dataset, o.from_rev", arguments: arguments
            ) { versions.append($0) }
            return versions
        }
    }

    /// Every version of one entry (by its key or its published id), oldest first.
    public func entryHistory(source: String?, key: String) throws -> [EntryVersion] {
        var sql = """
            SELECT \(Self.entryColumns) FROM entry e JOIN source s ON s.id = e.source_id
            WHERE (e.entry_key = ? OR e.guid = ?)
            """
        var arguments: StatementArguments = [key, key]
        if let source {
            sql += " AND s.name = ?"
            arguments += [source]
        }
        return try read { db in
            try Row.fetchAll(db, sql: sql + " ORDER BY s.name, e.from_rev", arguments: arguments).map(Self.entryVersion)
        }
    }

    // MARK: Log

    /// Revisions, newest first.
    public func log(_ query: LogQuery) throws -> [RevisionSummary] {
        let (sources, since, until, limit) = (query.sources, query.since, query.until, query.limit)
        var sql = """
            SELECT r.id, s.name, r.fetch_id, r.created_at, r.added, r.changed, r.removed, r.labels
            FROM revision r JOIN source s ON s.id = r.source_id WHERE 1
            """
        var arguments = StatementArguments()
        if let sources {
            sql += " AND s.name IN (\(sources.map { _ in "?" }.joined(separator: ",")))"
            arguments += StatementArguments(sources)
        }
        if let since {
            sql += " AND r.created_at >= ?"
            arguments += [Timestamp.format(since)]
        }
        if let until {
            sql += " AND r.created_at <= ?"
            arguments += [Timestamp.format(until)]
        }
        sql += " ORDER BY r.id DESC"
        if let limit { sql += " LIMIT \(max(0, limit))" }
        return try read { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                RevisionSummary(
                    id: row[0], source: row[1], fetchID: row[2],
                    createdAt: Timestamp.parse(row[3]) ?? Date(timeIntervalSince1970: 0), added: row[4],
                    changed: row[5], removed: row[6], labels: row[7])
            }
        }
    }

    // MARK: Shared SQL

    static let observationColumns = """
        s.name, se.dataset, se.series_key, o.period, o.period_start, o.period_end, o.value, o.number, o.unit,
        o.unit_mult, o.status, o.attributes, o.from_rev, o.to_rev
        """

    /// Runs a query selecting `observationColumns` and decodes each row straight from SQLite:
    /// diffs and snapshots read many rows, and GRDB's `Row` costs more than the read itself.
    static func forEachObservationRow(
        _ db: Database, sql: String, arguments: StatementArguments, _ body: (ObservationVersion) throws -> Void
    ) throws {
        let statement = try db.makeStatement(sql: sql)
        try statement.setArguments(arguments)
        let raw = RawStatement(statement, in: db)
        while try raw.step() {
            try body(
                ObservationVersion(
                    source: raw.string(0) ?? "", dataset: raw.string(1) ?? "", series: raw.string(2) ?? "",
                    period: raw.string(3) ?? "", periodStart: raw.string(4), periodEnd: raw.string(5),
                    value: raw.string(6), number: raw.optionalDouble(7), unit: raw.string(8),
                    unitMultiplier: raw.optionalInt64(9).map { Int($0) }, status: raw.string(10),
                    attributes: CanonicalJSON.parseObject(raw.string(11)), fromRevision: raw.int64(12),
                    toRevision: raw.optionalInt64(13)))
        }
    }

    static let entryColumns = """
        s.name, e.entry_key, e.guid, e.title, e.link, e.published, e.updated, e.authors, e.summary, e.content,
        e.categories, e.extra, e.from_rev, e.to_rev
        """

    static func entryVersion(_ row: Row) -> EntryVersion {
        let fields = StoredEntryFields(
            guid: row[2], title: row[3], link: row[4], published: row[5], updated: row[6], authors: row[7],
            summary: row[8], content: row[9], categories: row[10], extra: row[11])
        return EntryVersion(
            source: row[0], entry: fields.entry(key: row[1]), fromRevision: row[12], toRevision: row[13])
    }

    /// SQL conditions (each starting with AND) for a filter over a table aliased `table`
    /// joined with `source s`.
    static func filterSQL(_ filter: RowFilter, table: String) -> (String, StatementArguments) {
        var clause = ""
        var arguments = StatementArguments()
        if let sources = filter.sources {
            clause += " AND s.name IN (\(sources.map { _ in "?" }.joined(separator: ",")))"
            arguments += StatementArguments(sources)
        }
        if table == "o" {
            if let dataset = filter.dataset {
                clause += " AND se.dataset = ?"
                arguments += [dataset]
            }
            if let glob = filter.keyGlob {
                clause += " AND se.series_key GLOB ?"
                arguments += [glob]
            }
            let (series, seriesArguments) = seriesIndexSQL(words: filter.words, dimensions: filter.dimensions)
            clause += series
            arguments += seriesArguments
        }
        return (clause, arguments)
    }

    /// SQL conditions (each starting with AND) on `se.id` for the words and dimensions that
    /// select series through the series index (`SeriesQuery`, `RowFilter`): each set of a
    /// dimension's codes through `series_dimension`, the words through `series_fts`.
    static func seriesIndexSQL(words: [String], dimensions: [String: Set<String>]) -> (String, StatementArguments) {
        var clause = ""
        var arguments = StatementArguments()
        for component in dimensions.keys.sorted() {
            clause += """
                 AND se.id IN (SELECT series_id FROM series_dimension
                    WHERE component = ? AND code IN (SELECT value FROM json_each(?)))
                """
            arguments += [component, JSONText.array((dimensions[component] ?? []).sorted())]
        }
        if let match = SeriesIndex.match(words) {
            clause += " AND se.id IN (SELECT rowid FROM series_fts WHERE series_fts MATCH ?)"
            arguments += [match]
        }
        return (clause, arguments)
    }
}
