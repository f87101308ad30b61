import Foundation
import GRDB
public import TradeWatchModel

extension CacheDatabase {
    /// What changed between revision `from` and revision `to`. Reads only the versions
    /// opened or closed between the two, so its cost follows the number of changes, not the
    /// size of the cache. `diff(b, a)` is `diff(a, b)` with every change reversed.
    public func diff(from: Int64, to: Int64, filter: RowFilter = RowFilter()) throws -> CacheDiff {
        if from > to { return try diff(from: to, to: from, filter: filter).reversed() }
        guard from < to else { return CacheDiff(from: from, to: to, observations: [], entries: []) }
        return try read { db in
            CacheDiff(
                from: from, to: to, observations: try Self.observationChanges(db, from, to, filter),
                entries: filter.dataset == nil && filter.keyGlob == nil
                    ? try Self.entryChanges(db, from, to, filter) : [])
        }
    }

    private static func observationChanges(
        _ db: Database, _ a: Int64, _ b: Int64, _ filter: RowFilter
    ) throws
        -> [ObservationChange]
    {
        // The keys touched between the two revisions come from the two revision indexes alone
        // (they hold the primary key); each key's versions then sit together on one page. Rows
        // come in key order by row ids, so the versions of one key arrive together.
        let (clause, arguments) = filterSQL(filter, table: "o")
        let filtered = !clause.isEmpty
        let statement = try db.makeStatement(
            sql: """
                WITH touched AS (
                    SELECT series_id, period FROM observation WHERE from_rev > ?1 AND from_rev <= ?2
                    UNION
                    SELECT series_id, period FROM observation WHERE to_rev > ?1 AND to_rev <= ?2)
                SELECT o.series_id, o.period, o.period_start, o.period_end, o.value, o.number, o.unit, o.unit_mult,
                    o.status, o.attributes, o.from_rev, o.to_rev
                FROM touched t
                JOIN observation o ON o.series_id = t.series_id AND o.period = t.period
                    AND o.from_rev <= ?2 AND (o.to_rev IS NULL OR o.to_rev > ?1)
                \(filtered ? "JOIN series se ON se.id = o.series_id JOIN source s ON s.id = se.source_id" : "")
                WHERE 1 \(clause)
                ORDER BY o.series_id, o.period, o.from_rev
                """)
        try statement.setArguments(StatementArguments([a, b]) + arguments)
        let rows = RawStatement(statement, in: db)
        let identities = SeriesIdentities(db: db)

        var changes: [ObservationChange] = []
        var old: ObservationVersion?
        var new: ObservationVersion?
        var currentKey: (series: Int64, period: String)?
        func flush() {
            defer { (old, new) = (nil, nil) }
            guard let any = old ?? new else { return }
            switch (old, new) {
            case (nil, .some):
                changes.append(ObservationChange(kind: .added, source: any.source, key: any.key, old: nil, new: new))
            case (.some, nil):
                changes.append(ObservationChange(kind: .removed, source: any.source, key: any.key, old: old, new: nil))
            case let (o?, n?) where !o.sameContent(as: n):
                changes.append(ObservationChange(kind: .changed, source: any.source, key: any.key, old: o, new: n))
            default: break  // unchanged in the end, or opened and closed between the two
            }
        }
        while try rows.step() {
            let seriesID = rows.int64(0)
            let period = rows.string(1) ?? ""
            if currentKey.map({ $0.series != seriesID || $0.period != period }) ?? true {
                flush()
                currentKey = (seriesID, period)
            }
            let fromRevision = rows.int64(10)
            let toRevision = rows.optionalInt64(11)
            let visibleAtA = fromRevision <= a && (toRevision.map { $0 > a } ?? true)
            let visibleAtB = fromRevision <= b && (toRevision.map { $0 > b } ?? true)
            guard visibleAtA || visibleAtB else { continue }
            let identity = try identities.identity(of: seriesID)
            let version = ObservationVersion(
                source: identity.source, dataset: identity.dataset, series: identity.key, period: period,
                periodStart: rows.string(2), periodEnd: rows.string(3), value: rows.string(4),
                number: rows.optionalDouble(5), unit: rows.string(6),
                unitMultiplier: rows.optionalInt64(7).map { Int($0) },
                status: rows.string(8), attributes: CanonicalJSON.parseObject(rows.string(9)),
                fromRevision: fromRevision, toRevision: toRevision)
            if visibleAtA { old = version }
            if visibleAtB { new = version }
        }
        flush()
        // Present them by source, dataset, series key and period, as people read them.
        let order = changes.indices.map { index -> (String, Int) in
            let change = changes[index]
            let key = change.source + "\u{1}" + change.key.dataset + "\u{1}" + change.key.series + "\u{1}"
            return (key + change.key.period, index)
        }.sorted { $0.0 < $1.0 }
        return order.map { changes[$0.1] }
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
                SELECT \(entryColumns) FROM entry e JOIN source s ON s.id = e.source_id
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
        func flip(_ kind: ChangeKind) -> ChangeKind {
            switch kind {
            case .added: .removed
            case .removed: .added
            case .changed: .changed
            }
        }
        return CacheDiff(
            from: to, to: from,
            observations: observations.map {
                ObservationChange(kind: flip($0.kind), source: $0.source, key: $0.key, old: $0.new, new: $0.old)
            },
            entries: entries.map {
                EntryChange(
                    kind: flip($0.kind), source: $0.source, key: $0.key, old: $0.new, new: $0.old,
                    changedFields: $0.changedFields)
            })
    }
}

extension ObservationVersion {
    func isVisible(at revision: Int64) -> Bool {
        fromRevision <= revision && (toRevision.map { $0 > revision } ?? true)
    }

    func sameContent(as other: ObservationVersion) -> Bool {
        value == other.value && unit == other.unit && unitMultiplier == other.unitMultiplier && status == other.status
            && attributes == other.attributes
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
        if title != other.title { fields.append("title") }
        if link != other.link || links != other.links { fields.append("link") }
        if published != other.published { fields.append("published") }
        if updated != other.updated { fields.append("updated") }
        if authors != other.authors { fields.append("authors") }
        if summary != other.summary { fields.append("summary") }
        if content != other.content { fields.append("content") }
        if categories != other.categories { fields.append("categories") }
        if enclosures != other.enclosures { fields.append("enclosures") }
        return fields
    }
}

/// Names of series by row id, read once each: a diff touches many rows of few series.
private final class SeriesIdentities {
    private let db: Database
    private var known: [Int64: (source: String, dataset: String, key: String)] = [:]
    private var statement: RawStatement?

    init(db: Database) { self.db = db }

    func identity(of id: Int64) throws -> (source: String, dataset: String, key: String) {
        if let identity = known[id] { return identity }
        let lookup =
            try statement
            ?? RawStatement(
                try db.cachedStatement(
                    sql: """
                        SELECT s.name, se.dataset, se.series_key FROM series se JOIN source s ON s.id = se.source_id
                        WHERE se.id = ?
                        """), in: db)
        statement = lookup
        lookup.reset()
        lookup.bind(1, id)
        guard try lookup.step() else { throw CacheError(.database, "series \(id) is referenced but missing") }
        let identity = (lookup.string(0) ?? "", lookup.string(1) ?? "", lookup.string(2) ?? "")
        known[id] = identity
        return identity
    }
}
