import Foundation
import GRDB
public import TradeWatchModel

extension SQLiteCache {
    /// What changed between revision `from` and revision `to`. Reads only the versions
    /// opened or closed between the two, so its cost follows the number of changes, not the
    /// size of the cache. `diff(b, a)` is `diff(a, b)` with every change reversed.
    public func diff(from: Int64, to: Int64, filter: RowFilter) throws -> CacheDiff {
        if from > to { return try diff(from: to, to: from, filter: filter).reversed() }
        guard from < to else { return CacheDiff(from: from, to: to, observations: [], entries: []) }
        return try read { db in
            var observations: [ObservationChange] = []
            try Self.observationChanges(db, from, to, filter, reserve: { observations.reserveCapacity($0) }) {
                observations.append($0)
            }
            return CacheDiff(
                from: from, to: to, observations: observations,
                entries: filter.narrowsSeries ? [] : try Self.entryChanges(db, from, to, filter))
        }
    }

    /// The articles `diff(from:to:filter:)` lists (none under a dataset, key, dimension or
    /// words filter, which only figures have).
    public func entryChanges(from: Int64, to: Int64, filter: RowFilter) throws -> [EntryChange] {
        if from > to { return try entryChanges(from: to, to: from, filter: filter).map { $0.reversed() } }
        guard from < to, !filter.narrowsSeries else { return [] }
        return try read { db in try Self.entryChanges(db, from, to, filter) }
    }

    /// The figures `diff(from:to:filter:)` lists, one at a time and in the same order, without
    /// holding them all: for diffs too large to keep in memory at once (a million figures of a
    /// first load take about 500 MB as a `CacheDiff`). `body` runs inside one read of the
    /// cache (one consistent view) and must not use this `SQLiteCache` itself.
    public func forEachObservationChange(
        from: Int64, to: Int64, filter: RowFilter, _ body: (ObservationChange) throws -> Void
    ) throws {
        if from > to {
            try forEachObservationChange(from: to, to: from, filter: filter) { try body($0.reversed()) }
            return
        }
        guard from < to else { return }
        try read { db in try Self.observationChanges(db, from, to, filter, reserve: { _ in }, body) }
    }

    /// Hands each change from revision `a` to `b` (a < b) to `body`, in reading order, after
    /// telling `reserve` how many at most there will be.
    private static func observationChanges(
        _ db: Database, _ a: Int64, _ b: Int64, _ filter: RowFilter, reserve: (Int) -> Void,
        _ body: (ObservationChange) throws -> Void
    ) throws {
        // The log starts at `change_log_from`: at 1 once the read-write open has filled in
        // the revisions from before migration v3 (see `backfillChangeLog`). A reader of a
        // cache whose daemon has not done so yet cannot diff further back than the log.
        if let logFrom = try changeLogFrom(db), a + 1 < logFrom {
            throw CacheError(
                .logIncomplete,
                "the change log of revisions before \(logFrom) is still being filled in "
                    + "(the daemon does it when it starts); diff from revision \(logFrom - 1) or later until then")
        }
        try loggedChanges(db, a, b, filter, reserve: reserve, body)
    }

    /// The joins and conditions that narrow observation rows `o` to `filter`. The rows come
    /// first (`CROSS JOIN` keeps SQLite from starting at the source and walking all of its
    /// rows): a diff reads only what the revision indexes name, then drops what the filter
    /// leaves out.
    private static func observationFilter(_ filter: RowFilter) -> (String, String, StatementArguments) {
        let (clause, arguments) = filterSQL(filter, table: "o")
        let join =
            clause.isEmpty
            ? "" : "CROSS JOIN series se ON se.id = o.series_id CROSS JOIN source s ON s.id = se.source_id"
        return (join, clause, arguments)
    }

    /// The diff from the change log: the versions closed in (a, b] and those opened in place
    /// of them, read off a few contiguous pages; versions added without replacing one come
    /// from the revision index, and only those still there at `b` are looked up in the table.
    private static func loggedChanges(
        _ db: Database, _ a: Int64, _ b: Int64, _ filter: RowFilter, reserve: (Int) -> Void,
        _ body: (ObservationChange) throws -> Void
    ) throws {
        let (join, clause, arguments) = observationFilter(filter)
        var assembly = try ChangeAssembly(db, a, b)
        let log = try db.makeStatement(
            sql: """
                SELECT o.revision, o.side, o.series_id, o.period, o.from_rev, o.period_start, o.period_end, o.value,
                    o.number, o.unit, o.unit_mult, o.status, o.attributes
                FROM observation_change o \(join) WHERE o.revision > ?1 AND o.revision <= ?2 \(clause)
                ORDER BY o.revision, o.series_id, o.period, o.side
                """)
        try log.setArguments(StatementArguments([a, b]) + arguments)
        let rows = RawStatement(log, in: db)
        while try rows.step() {
            assembly.note(
                series: rows.int64(2), period: rows.bytes(3), revision: rows.int64(0),
                side: rows.int64(1) == 0 ? .closed : .replacing,
                content: ChangeAssembly.Content(rows, from: 5, fromRevision: rows.int64(4)))
        }
        // Every version opened in (a, b], from the revision index alone (reading `to_rev` or
        // content too would visit the table for each): those the log has not seen are additions.
        let opened = try db.makeStatement(
            sql: "SELECT o.series_id, o.period, o.from_rev FROM observation o \(join) "
                + "WHERE o.from_rev > ?1 AND o.from_rev <= ?2 \(clause) ORDER BY o.from_rev, o.series_id, o.period")
        try opened.setArguments(StatementArguments([a, b]) + arguments)
        let additions = RawStatement(opened, in: db)
        var openedCount = 0
        while try additions.step() {
            openedCount += 1
            assembly.noteOpened(series: additions.int64(0), period: additions.bytes(1), revision: additions.int64(2))
        }
        try assembly.forEachChange(reserve: reserve, body) { keys, store in
            // Content of additions still there at b, `keys` in the revision index's order.
            var stored = 0
            if keys.count * 4 < openedCount {
                // A few among many: each by primary key.
                let lookup = RawStatement(
                    try db.cachedStatement(
                        sql: """
                            SELECT period_start, period_end, value, number, unit, unit_mult, status, attributes
                            FROM observation WHERE series_id = ? AND period = ? AND from_rev = ?
                            """),
                    in: db)
                defer { lookup.reset() }  // a statement left on a row would pin this reader's snapshot
                for key in keys {
                    lookup.reset()
                    lookup.bind(1, key.series)
                    lookup.bind(2, key.period)
                    lookup.bind(3, key.revision)
                    guard try lookup.step() else { break }
                    store(ChangeAssembly.Content(lookup, from: 0, fromRevision: key.revision))
                    stored += 1
                }
            } else {
                // Most of what was opened (a first load): one walk of the revision index, in
                // step with `keys`, costs far less than a lookup each.
                let statement = try db.makeStatement(
                    sql: """
                        SELECT o.series_id, o.period, o.from_rev, o.period_start, o.period_end, o.value, o.number,
                            o.unit, o.unit_mult, o.status, o.attributes
                        FROM observation o \(join)
                        WHERE o.from_rev > ?1 AND o.from_rev <= ?2 AND (o.to_rev IS NULL OR o.to_rev > ?2) \(clause)
                        ORDER BY o.from_rev, o.series_id, o.period
                        """)
                try statement.setArguments(StatementArguments([a, b]) + arguments)
                let rows = RawStatement(statement, in: db)
                var next = 0
                while next < keys.count, try rows.step() {
                    let key = keys[next]
                    guard rows.int64(2) == key.revision, rows.int64(0) == key.series, rows.string(1) == key.period
                    else { continue }  // a replacement, its content logged
                    store(ChangeAssembly.Content(rows, from: 3, fromRevision: key.revision))
                    stored += 1
                    next += 1
                }
            }
            guard stored == keys.count else {
                throw CacheError(.database, "\(keys.count - stored) versions the revision index names are missing")
            }
        }
    }

    private static func entryChanges(
        _ db: Database, _ a: Int64, _ b: Int64, _ filter: RowFilter
    ) throws
        -> [EntryChange]
    {
        let (clause, arguments) = filterSQL(filter, table: "e")
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT \(entryColumns) FROM entry e CROSS JOIN source s ON s.id = e.source_id
                WHERE ((e.from_rev > ? AND e.from_rev <= ?) OR (e.to_rev > ? AND e.to_rev <= ?)) \(clause)
                """,
            arguments: StatementArguments([a, b, a, b]) + arguments)
        var byKey: [String: (old: EntryVersion?, new: EntryVersion?)] = [:]
        for row in rows {
            let version = entryVersion(row)
            let id = version.source + "\u{1f}" + version.entry.key
            var slot = byKey[id] ?? (nil, nil)
            if version.isVisible(at: a) { slot.old = version }
            if version.isVisible(at: b) { slot.new = version }
            byKey[id] = slot
        }
        var changes: [EntryChange] = []
        for (old, new) in byKey.values {
            guard let any = old ?? new else { continue }
            switch (old, new) {
            case (nil, _?):
                changes.append(
                    EntryChange(
                        kind: .added, source: any.source, key: any.entry.key, old: nil, new: new, changedFields: []))
            case (_?, nil):
                changes.append(
                    EntryChange(
                        kind: .removed, source: any.source, key: any.entry.key, old: old, new: nil, changedFields: []))
            case let (o?, n?):
                let fields = o.entry.changedFields(comparedTo: n.entry)
                guard !fields.isEmpty else { continue }
                changes.append(
                    EntryChange(
                        kind: .changed, source: any.source, key: any.entry.key, old: o, new: n, changedFields: fields))
            default: continue
            }
        }
        return changes.sorted { ($0.source, $0.key) < ($1.source, $1.key) }
    }
}

extension CacheDiff {
    /// The same changes seen from the other end.
    func reversed() -> CacheDiff {
        CacheDiff(
            from: to, to: from, observations: observations.map { $0.reversed() },
            entries: entries.map { $0.reversed() })
    }
}

extension EntryChange {
    /// The same change seen from the other end.
    func reversed() -> EntryChange {
        EntryChange(kind: kind.reversed, source: source, key: key, old: new, new: old, changedFields: changedFields)
    }
}

extension ChangeKind {
    /// The same change seen from the other end.
    var reversed: ChangeKind {
        switch self {
        case .added: .removed
        case .removed: .added
        case .changed: .changed
        }
    }
}

extension ObservationChange {
    /// The same change seen from the other end.
    func reversed() -> ObservationChange {
        ObservationChange(kind: kind.reversed, source: source, key: key, old: new, new: old)
    }
}

extension EntryVersion {
    func isVisible(at revision: Int64) -> Bool {
        fromRevision <= revision && (toRevision.map { $0 > revision } ?? true)
    }
}

extension Entry {
    /// Names of the fields in which `other` differs from this entry.
    public func changedFields(comparedTo other: Entry) -> [String] {
        var fields: [String] = []
        if id != other.id { fields.append("id") }
        if title != other.title || titleType != other.titleType { fields.append("title") }
        if link != other.link || links != other.links { fields.append("link") }
        if published != other.published { fields.append("published") }
        if updated != other.updated { fields.append("updated") }
        if authors != other.authors { fields.append("authors") }
        if summary != other.summary || summaryType != other.summaryType { fields.append("summary") }
        if content != other.content || contentType != other.contentType { fields.append("content") }
        if categories != other.categories || categoryLabels != other.categoryLabels { fields.append("categories") }
        if enclosures != other.enclosures { fields.append("enclosures") }
        return fields
    }
}

extension RowFilter {
    /// Whether the filter names series (a dataset, a key glob, dimensions, words): articles,
    /// which have none, never match it.
    var narrowsSeries: Bool {
        dataset != nil || keyGlob != nil || !dimensions.isEmpty || SeriesIndex.match(words) != nil
    }
}
