import GRDB
import TradeWatchModel

/// Applies a pull's observations to one source as they arrive, writing each change at once
/// under the revision being built, so a pull of millions of figures never sits in memory:
/// only the source's current keys do (about 80 bytes each: 40 per slot, slots at most 3/4 full).
///
/// Runs inside the recording transaction; nothing is visible to readers before it commits.
final class ObservationReconciler {
    /// Periods are interned (a source has few distinct ones), which halves the key's size:
    /// the map of current keys is what a million-row snapshot costs in memory.
    private struct Key: Hashable {
        var series: Int64
        var period: Int32
    }

    private struct CurrentRow {
        var fromRevision: Int64
        var hash: Int64
        /// The pull has mentioned this key already.
        var seen: Bool
        /// This pull wrote a new version of the key (under `revision`).
        var rewritten: Bool
    }

    private let db: Database
    private let sourceID: Int64
    private let revision: Int64
    private let removesAbsent: Bool
    private let scope: ObservationScope
    private let series: SeriesTable
    private var current: [Key: CurrentRow] = [:]
    private var periodIDs: [String: Int32] = [:]
    private var periodTexts: [String] = []
    private let loadedAll: Bool
    private let insert: RawStatement
    private let close: RawStatement
    private let rewrite: RawStatement
    private let lookup: RawStatement
    private let drop: RawStatement

    private(set) var added = 0
    private(set) var changed = 0
    private(set) var removed = 0

    init(db: Database, sourceID: Int64, revision: Int64, mode: Pull.Mode, scope: ObservationScope) throws {
        self.db = db
        self.sourceID = sourceID
        self.revision = revision
        self.scope = scope
        self.removesAbsent = mode == .snapshot && scope.coversAnything
        self.series = try SeriesTable(db: db, sourceID: sourceID)
        insert = RawStatement(
            try db.cachedStatement(
                sql: """
                    INSERT INTO observation (series_id, period, from_rev, period_start, period_end, value, number,
                        unit, unit_mult, status, attributes, hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """), in: db)
        close = RawStatement(
            try db.cachedStatement(
                sql: "UPDATE observation SET to_rev = ? WHERE series_id = ? AND period = ? AND from_rev = ?"), in: db)
        rewrite = RawStatement(
            try db.cachedStatement(
                sql: """
                    UPDATE observation SET period_start = ?4, period_end = ?5, value = ?6, number = ?7, unit = ?8,
                        unit_mult = ?9, status = ?10, attributes = ?11, hash = ?12
                    WHERE series_id = ?1 AND period = ?2 AND from_rev = ?3
                    """), in: db)
        lookup = RawStatement(
            try db.cachedStatement(
                sql: "SELECT from_rev, hash FROM observation WHERE series_id = ? AND period = ? AND to_rev IS NULL"),
            in: db)
        drop = RawStatement(
            try db.cachedStatement(sql: "DELETE FROM observation WHERE series_id = ? AND period = ? AND from_rev = ?"),
            in: db)
        loadedAll = removesAbsent
        if removesAbsent {
            let count =
                try Int.fetchOne(
                    db, sql: "SELECT current_observations FROM source_state WHERE source_id = ?", arguments: [sourceID])
                ?? 0
            current.reserveCapacity(count)
            let rows = RawStatement(
                try db.makeStatement(
                    sql: """
                        SELECT o.from_rev, o.hash, o.series_id, o.period FROM observation o
                        JOIN series s ON s.id = o.series_id
                        WHERE s.source_id = ? AND o.to_rev IS NULL
                        """), in: db)
            rows.bind(1, sourceID)
            while try rows.step() {
                current[Key(series: rows.int64(2), period: periodID(rows.string(3) ?? ""))] = CurrentRow(
                    fromRevision: rows.int64(0), hash: rows.int64(1), seen: false, rewritten: false)
            }
        }
    }

    /// How many current rows this pull adds (positive) or removes (negative).
    var countDelta: Int { added - removed }

    /// One observation of the pull. A key the pull repeats keeps its last occurrence.
    func add(_ observation: Observation) throws {
        guard
            let seriesID = try series.id(dataset: observation.dataset, key: observation.series.canonical, create: true)
        else { return }
        let key = Key(series: seriesID, period: periodID(observation.period.text))
        try fetchCurrent(key)
        let attributes = CanonicalJSON.object(observation.attributes)
        let hash = ContentHash.observation(observation, attributesJSON: attributes)
        guard var row = current[key] else {
            do {
                try write(observation, key: key, attributes: attributes, hash: hash, with: insert)
                added += 1
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                // Added earlier in this same pull: the last occurrence wins.
                try write(observation, key: key, attributes: attributes, hash: hash, with: rewrite)
            }
            return
        }
        if row.seen && row.rewritten {
            try write(observation, key: key, attributes: attributes, hash: hash, with: rewrite)
            return
        }
        row.seen = true
        if row.hash != hash {
            try closeVersion(key, from: row.fromRevision)
            try write(observation, key: key, attributes: attributes, hash: hash, with: insert)
            row.rewritten = true
            changed += 1
        }
        current[key] = row
    }

    /// A deletion a delta pull names. Deleting what the same pull added or changed keeps the
    /// state from before the pull for that key.
    func delete(_ deleted: ObservationKey) throws {
        guard let seriesID = try series.id(dataset: deleted.dataset, key: deleted.series, create: false) else { return }
        let key = Key(series: seriesID, period: periodID(deleted.period))
        try fetchCurrent(key)
        if let row = current[key] {
            guard !row.seen else { return }
            current[key]?.seen = true
            try closeVersion(key, from: row.fromRevision)
            removed += 1
            return
        }
        // Not current before the pull: only a version this pull added can be open.
        lookup.reset()
        lookup.bind(1, key.series)
        lookup.bind(2, periodTexts[Int(key.period)])
        let openedHere = try lookup.step() && lookup.int64(0) == revision
        lookup.reset()  // an open statement would pin the connection's snapshot
        if openedHere {
            drop.reset()
            drop.bind(1, key.series)
            drop.bind(2, periodTexts[Int(key.period)])
            drop.bind(3, revision)
            try drop.execute()
            added -= 1
        }
    }

    /// Closes every current row inside a snapshot's scope that the pull did not mention.
    func finish() throws {
        guard removesAbsent else { return }
        var absent: [(Key, Int64)] = []
        for (key, row) in current where !row.seen {
            guard let identity = series.identity(of: key.series) else { continue }
            let period = periodTexts[Int(key.period)]
            if scope.contains(ObservationKey(dataset: identity.dataset, series: identity.key, period: period)) {
                absent.append((key, row.fromRevision))
            }
        }
        // In key order, so that the write order does not depend on dictionary order.
        absent.sort { ($0.0.series, $0.0.period) < ($1.0.series, $1.0.period) }
        for (key, fromRevision) in absent {
            try closeVersion(key, from: fromRevision)
            removed += 1
        }
    }

    private func periodID(_ text: String) -> Int32 {
        if let id = periodIDs[text] { return id }
        let id = Int32(periodTexts.count)
        periodTexts.append(text)
        periodIDs[text] = id
        return id
    }

    private func fetchCurrent(_ key: Key) throws {
        guard !loadedAll, current[key] == nil else { return }
        lookup.reset()
        lookup.bind(1, key.series)
        lookup.bind(2, periodTexts[Int(key.period)])
        // A version this pull opened is not "current before the pull".
        if try lookup.step(), lookup.int64(0) != revision {
            current[key] = CurrentRow(
                fromRevision: lookup.int64(0), hash: lookup.int64(1), seen: false, rewritten: false)
        }
        lookup.reset()  // an open statement would pin the connection's snapshot
    }

    private func closeVersion(_ key: Key, from fromRevision: Int64) throws {
        close.reset()
        close.bind(1, revision)
        close.bind(2, key.series)
        close.bind(3, periodTexts[Int(key.period)])
        close.bind(4, fromRevision)
        try close.execute()
    }

    /// Binds an observation in the column order `insert` and `rewrite` share, and runs `statement`.
    private func write(
        _ o: Observation, key: Key, attributes: String?, hash: Int64, with statement: RawStatement
    ) throws {
        statement.reset()
        statement.bind(1, key.series)
        statement.bind(2, o.period.text)
        statement.bind(3, revision)
        statement.bind(4, o.period.start?.description)
        statement.bind(5, o.period.end?.description)
        statement.bind(6, o.value)
        statement.bind(7, o.number)
        statement.bind(8, o.unit)
        statement.bind(9, o.unitMultiplier.map(Int64.init))
        statement.bind(10, o.status)
        statement.bind(11, attributes)
        statement.bind(12, hash)
        try statement.execute()
    }
}

/// A source's series by dataset and canonical key, created on first use.
final class SeriesTable {
    private struct Identity: Hashable {
        var dataset: String
        var key: String
    }

    private var ids: [Identity: Int64] = [:]
    private var identities: [Int64: Identity] = [:]
    private var last: (dataset: String, key: String, id: Int64)?
    private let db: Database
    private let sourceID: Int64

    init(db: Database, sourceID: Int64) throws {
        self.db = db
        self.sourceID = sourceID
        let rows = try Row.fetchCursor(
            db, sql: "SELECT id, dataset, series_key FROM series WHERE source_id = ?", arguments: [sourceID])
        while let row = try rows.next() {
            let identity = Identity(dataset: row[1], key: row[2])
            ids[identity] = row[0]
            identities[row[0]] = identity
        }
    }

    func identity(of id: Int64) -> (dataset: String, key: String)? {
        identities[id].map { ($0.dataset, $0.key) }
    }

    /// The series' row id; nil when unknown and `create` is false.
    func id(dataset: String, key: String, create: Bool) throws -> Int64? {
        // Observations of one series usually arrive together: skip the hash lookup then.
        if let last, last.key == key, last.dataset == dataset { return last.id }
        let identity = Identity(dataset: dataset, key: key)
        var id = ids[identity]
        if id == nil && create {
            try db.execute(
                sql: "INSERT INTO series (source_id, dataset, series_key) VALUES (?, ?, ?)",
                arguments: [sourceID, dataset, key])
            id = db.lastInsertedRowID
            ids[identity] = id
            identities[db.lastInsertedRowID] = identity
        }
        if let id { last = (dataset, key, id) }
        return id
    }
}
