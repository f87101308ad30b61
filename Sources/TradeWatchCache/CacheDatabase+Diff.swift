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
        // A key has at most one version open at a time, so a key that changed between the two
        // revisions has its version at `a` (if any) among those closed in (a, b] and its version
        // at `b` (if any) among those opened in (a, b]. Both sets come straight off the revision
        // indexes: no scan of the table, no set of touched keys to build and join back, and
        // versions opened and closed in between are never read. (Letting SQLite sort the two
        // sets together cost more than the reads themselves; the pairing is done here.)
        let (clause, arguments) = filterSQL(filter, table: "o")
        let join = clause.isEmpty ? "" : "JOIN series se ON se.id = o.series_id JOIN source s ON s.id = se.source_id"
        let columns = """
            o.series_id, o.period, o.period_start, o.period_end, o.value, o.number, o.unit, o.unit_mult, o.status,
            o.attributes, o.from_rev, o.to_rev
            """
        struct Key: Hashable {
            var series: Int64
            var period: String
        }
        let identities = SeriesIdentities(db: db)
        // Sized up front from the two indexes (a count reads no table row): growing these
        // arrays row by row cost more in page faults and copies than the reads.
        let expected =
            try Int.fetchOne(
                db,
                sql: """
                    SELECT (SELECT count(*) FROM observation WHERE to_rev > ?1 AND to_rev <= ?2)
                        + (SELECT count(*) FROM observation WHERE from_rev > ?1 AND from_rev <= ?2)
                    """, arguments: [a, b]) ?? 0
        var slots: [Key: Int] = Dictionary(minimumCapacity: expected)
        var keys: [Key] = []
        var olds: [ObservationVersion?] = []
        var news: [ObservationVersion?] = []
        keys.reserveCapacity(expected)
        olds.reserveCapacity(expected)
        news.reserveCapacity(expected)
        for (isNew, condition) in [
            (false, "o.to_rev > ?1 AND o.to_rev <= ?2 AND o.from_rev <= ?1"),
            (true, "o.from_rev > ?1 AND o.from_rev <= ?2 AND (o.to_rev IS NULL OR o.to_rev > ?2)"),
        ] {
            let statement = try db.makeStatement(
                sql: "SELECT \(columns) FROM observation o \(join) WHERE \(condition) \(clause)")
            try statement.setArguments(StatementArguments([a, b]) + arguments)
            let rows = RawStatement(statement, in: db)
            var identity: (id: Int64, source: String, dataset: String, key: String) = (-1, "", "", "")
            while try rows.step() {
                let seriesID = rows.int64(0)
                if seriesID != identity.id {
                    let known = try identities.identity(of: seriesID)
                    identity = (seriesID, known.source, known.dataset, known.key)
                }
                let version = ObservationVersion(
                    source: identity.source, dataset: identity.dataset, series: identity.key,
                    period: rows.string(1) ?? "", periodStart: rows.string(2), periodEnd: rows.string(3),
                    value: rows.string(4), number: rows.optionalDouble(5), unit: rows.string(6),
                    unitMultiplier: rows.optionalInt64(7).map { Int($0) }, status: rows.string(8),
                    attributes: CanonicalJSON.parseObject(rows.string(9)), fromRevision: rows.int64(10),
                    toRevision: rows.optionalInt64(11))
                let key = Key(series: seriesID, period: version.period)
                let slot: Int
                if let known = slots[key] {
                    slot = known
                } else {
                    slot = keys.count
                    slots[key] = slot
                    keys.append(key)
                    olds.append(nil)
                    news.append(nil)
                }
                if isNew { news[slot] = version } else { olds[slot] = version }
            }
        }
        // Presented by source, dataset, series key and period, as people read them (and as
        // SQLite orders text: by bytes).
        let order = identities.order()
        let sorted = keys.indices.sorted { lhs, rhs in
            let (l, r) = (keys[lhs], keys[rhs])
            let (lo, ro) = (order[l.series] ?? 0, order[r.series] ?? 0)
            if lo != ro { return lo < ro }
            return l.period < r.period  // periods are ASCII: the same order as SQLite's
        }
        var changes: [ObservationChange] = []
        changes.reserveCapacity(sorted.count)
        for index in sorted {
            switch (olds[index], news[index]) {
            case (nil, let new?):
                changes.append(ObservationChange(kind: .added, source: new.source, key: new.key, old: nil, new: new))
            case (let old?, nil):
                changes.append(ObservationChange(kind: .removed, source: old.source, key: old.key, old: old, new: nil))
            case let (old?, new?) where !old.sameContent(as: new):
                changes.append(ObservationChange(kind: .changed, source: new.source, key: new.key, old: old, new: new))
            default: continue  // the same content at both ends
            }
        }
        return changes
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
        // Reset before returning: a cached statement left on a row keeps the reader's WAL
        // snapshot, and every later read on that pooled connection would see this moment.
        defer { lookup.reset() }
        guard try lookup.step() else { throw CacheError(.database, "series \(id) is referenced but missing") }
        let identity = (lookup.string(0) ?? "", lookup.string(1) ?? "", lookup.string(2) ?? "")
        known[id] = identity
        return identity
    }

    /// The rank of each series met so far in reading order (source, dataset, series key).
    func order() -> [Int64: Int] {
        let sorted = known.sorted {
            ($0.value.source, $0.value.dataset, $0.value.key) < ($1.value.source, $1.value.dataset, $1.value.key)
        }
        var ranks: [Int64: Int] = Dictionary(minimumCapacity: sorted.count)
        for (rank, entry) in sorted.enumerated() { ranks[entry.key] = rank }
        return ranks
    }
}
