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
        let logFrom =
            try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT value FROM cache_setting WHERE name = 'change_log_from'")) ?? .max
        if a + 1 >= logFrom { return try loggedChanges(db, a, b, filter) }
        return try tableChanges(db, a, b, filter)
    }

    /// The diff from the change log: the versions closed in (a, b] and those opened in place
    /// of them, read off a few contiguous pages; only versions added without replacing one
    /// (and still there at `b`) are looked up in the table.
    private static func loggedChanges(
        _ db: Database, _ a: Int64, _ b: Int64, _ filter: RowFilter
    ) throws
        -> [ObservationChange]
    {
        let (clause, arguments) = filterSQL(filter, table: "o")
        let join = clause.isEmpty ? "" : "JOIN series se ON se.id = o.series_id JOIN source s ON s.id = se.source_id"
        struct Key: Hashable {
            var series: Int64
            var period: String
        }
        /// What happened to one key in (a, b]: its first close and last open, by revision,
        /// with the logged versions as positions in `versions` (small, updated in place).
        struct Events {
            var firstClose: (revision: Int64, version: Int)?
            var firstOpenRevision: Int64?
            var lastOpen: (revision: Int64, version: Int?)?
            var lastCloseRevision: Int64?
        }
        var versions: [ObservationVersion] = []
        let identities = SeriesIdentities(db: db)
        // Every series the log and the additions name, in one statement and in reading order.
        try identities.preload(
            """
            SELECT se.id, s.name, se.dataset, se.series_key FROM series se JOIN source s ON s.id = se.source_id
            WHERE se.id IN (
                SELECT series_id FROM observation_change WHERE revision > ?1 AND revision <= ?2
                UNION SELECT series_id FROM observation WHERE from_rev > ?1 AND from_rev <= ?2)
            ORDER BY s.name, se.dataset, se.series_key
            """, [a, b])
        let logged =
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM observation_change WHERE revision > ? AND revision <= ?",
                arguments: [a, b]) ?? 0
        var events: [Key: Events] = Dictionary(minimumCapacity: logged)
        let log = try db.makeStatement(
            sql: """
                SELECT o.revision, o.side, o.series_id, o.period, o.from_rev, o.period_start, o.period_end, o.value,
                    o.number, o.unit, o.unit_mult, o.status, o.attributes
                FROM observation_change o \(join) WHERE o.revision > ?1 AND o.revision <= ?2 \(clause)
                """)
        try log.setArguments(StatementArguments([a, b]) + arguments)
        let rows = RawStatement(log, in: db)
        var identity: (id: Int64, source: String, dataset: String, key: String) = (-1, "", "", "")
        while try rows.step() {
            let revision = rows.int64(0)
            let seriesID = rows.int64(2)
            if seriesID != identity.id {
                let known = try identities.identity(of: seriesID)
                identity = (seriesID, known.source, known.dataset, known.key)
            }
            let closing = rows.int64(1) == 0
            let version = ObservationVersion(
                source: identity.source, dataset: identity.dataset, series: identity.key,
                period: rows.string(3) ?? "", periodStart: rows.string(5), periodEnd: rows.string(6),
                value: rows.string(7), number: rows.optionalDouble(8), unit: rows.string(9),
                unitMultiplier: rows.optionalInt64(10).map { Int($0) }, status: rows.string(11),
                attributes: CanonicalJSON.parseObject(rows.string(12)), fromRevision: rows.int64(4),
                toRevision: closing ? revision : nil)
            versions.append(version)
            let position = versions.count - 1
            func note(_ entry: inout Events) {
                if closing {
                    if entry.firstClose.map({ revision < $0.revision }) ?? true {
                        entry.firstClose = (revision, position)
                    }
                    entry.lastCloseRevision = max(entry.lastCloseRevision ?? revision, revision)
                } else {
                    if entry.lastOpen.map({ revision > $0.revision }) ?? true { entry.lastOpen = (revision, position) }
                    entry.firstOpenRevision = min(entry.firstOpenRevision ?? revision, revision)
                }
            }
            note(&events[Key(series: seriesID, period: version.period), default: Events()])
        }
        // Versions opened in (a, b] that replaced nothing: additions, not in the log. The
        // revision index alone names them; content is read only for those still open at b.
        // (Only columns of the index: reading `to_rev` too would visit the table for each.)
        let opened = try db.makeStatement(
            sql: "SELECT o.series_id, o.period, o.from_rev FROM observation o \(join) "
                + "WHERE o.from_rev > ?1 AND o.from_rev <= ?2 \(clause)")
        try opened.setArguments(StatementArguments([a, b]) + arguments)
        let additions = RawStatement(opened, in: db)
        while try additions.step() {
            let revision = additions.int64(2)
            func note(_ entry: inout Events) {
                if entry.lastOpen?.revision == revision { return }  // a change: its content is logged
                if entry.lastOpen.map({ revision > $0.revision }) ?? true { entry.lastOpen = (revision, nil) }
                entry.firstOpenRevision = min(entry.firstOpenRevision ?? revision, revision)
            }
            note(&events[Key(series: additions.int64(0), period: additions.string(1) ?? ""), default: Events()])
        }
        // Content is read only for additions still there at b.
        var pendingLookups: [(Key, Int64)] = []
        for (key, entry) in events {
            if let open = entry.lastOpen, open.version == nil,
                entry.lastCloseRevision.map({ $0 <= open.revision }) ?? true
            {
                pendingLookups.append((key, open.revision))
            }
        }
        var looked: [Key: ObservationVersion] = [:]
        if !pendingLookups.isEmpty {
            let lookup = RawStatement(
                try db.cachedStatement(
                    sql: """
                        SELECT period_start, period_end, value, number, unit, unit_mult, status, attributes, to_rev
                        FROM observation WHERE series_id = ? AND period = ? AND from_rev = ?
                        """), in: db)
            defer { lookup.reset() }
            for (key, revision) in pendingLookups {
                lookup.reset()
                lookup.bind(1, key.series)
                lookup.bind(2, key.period)
                lookup.bind(3, revision)
                guard try lookup.step() else { continue }
                let known = try identities.identity(of: key.series)
                looked[key] = ObservationVersion(
                    source: known.source, dataset: known.dataset, series: known.key, period: key.period,
                    periodStart: lookup.string(0), periodEnd: lookup.string(1), value: lookup.string(2),
                    number: lookup.optionalDouble(3), unit: lookup.string(4),
                    unitMultiplier: lookup.optionalInt64(5).map { Int($0) }, status: lookup.string(6),
                    attributes: CanonicalJSON.parseObject(lookup.string(7)), fromRevision: revision,
                    toRevision: lookup.optionalInt64(8))
            }
        }
        var changes: [(order: Key, change: ObservationChange)] = []
        changes.reserveCapacity(events.count)
        for (key, entry) in events {
            // At a: the first version closed in (a, b], if it was already open at a (nothing
            // opened for this key before that close).
            var old: ObservationVersion?
            if let close = entry.firstClose, versions[close.version].fromRevision <= a,
                entry.firstOpenRevision.map({ $0 >= close.revision }) ?? true
            {
                old = versions[close.version]
            }
            // At b: the last version opened in (a, b], unless a later close ended it.
            var new: ObservationVersion?
            if let open = entry.lastOpen, entry.lastCloseRevision.map({ $0 <= open.revision }) ?? true {
                new = open.version.map { versions[$0] } ?? looked[key]
                new?.toRevision = nil  // open at b; what happens after b is not part of this diff
            }
            let change: ObservationChange
            switch (old, new) {
            case (nil, let new?):
                change = ObservationChange(kind: .added, source: new.source, key: new.key, old: nil, new: new)
            case (let old?, nil):
                change = ObservationChange(kind: .removed, source: old.source, key: old.key, old: old, new: nil)
            case let (old?, new?) where !old.sameContent(as: new):
                change = ObservationChange(kind: .changed, source: new.source, key: new.key, old: old, new: new)
            default: continue
            }
            changes.append((key, change))
        }
        // Presented by source, dataset, series key and period; indexes are sorted, not changes.
        let order = identities.order()
        let ranks = changes.map { order[$0.order.series] ?? 0 }
        return changes.indices.sorted { lhs, rhs in
            if ranks[lhs] != ranks[rhs] { return ranks[lhs] < ranks[rhs] }
            return changes[lhs].order.period < changes[rhs].order.period
        }.map { changes[$0].change }
    }

    /// The diff from the table itself, for ranges that begin before the change log does.
    private static func tableChanges(
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
                if isNew {
                    var open = version
                    open.toRevision = nil  // open at b; what happens after b is not part of this diff
                    news[slot] = open
                } else {
                    olds[slot] = version
                }
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

    /// Reads the identities of the series `sql` selects (id, source, dataset, key) at once.
    /// Given in reading order, those series are ranked as they come, with no sort later.
    func preload(_ sql: String, _ arguments: StatementArguments) throws {
        let statement = try db.makeStatement(sql: sql)
        try statement.setArguments(arguments)
        let rows = RawStatement(statement, in: db)
        while try rows.step() {
            let id = rows.int64(0)
            known[id] = (rows.string(1) ?? "", rows.string(2) ?? "", rows.string(3) ?? "")
            preloadedRanks[id] = preloadedRanks.count
        }
    }

    private var preloadedRanks: [Int64: Int] = [:]

    /// The rank of each series met so far in reading order (source, dataset, series key).
    func order() -> [Int64: Int] {
        // Only series met after the preload (additions) need sorting in.
        if preloadedRanks.count == known.count { return preloadedRanks }
        let sorted = known.sorted {
            ($0.value.source, $0.value.dataset, $0.value.key) < ($1.value.source, $1.value.dataset, $1.value.key)
        }
        var ranks: [Int64: Int] = Dictionary(minimumCapacity: sorted.count)
        for (rank, entry) in sorted.enumerated() { ranks[entry.key] = rank }
        return ranks
    }
}
