import GRDB
import TradeWatchModel

extension Reconciler {
    /// An observation's identity inside one source, with the series as its row id.
    private struct Key: Hashable {
        var series: Int64
        var period: String
    }

    private struct CurrentRow {
        var fromRevision: Int64
        var hash: Int64
        var seen: Bool
    }

    /// The source's series by dataset and canonical key, created on first use.
    private final class SeriesTable {
        private struct Identity: Hashable {
            var dataset: String
            var key: String
        }

        private var ids: [Identity: Int64] = [:]
        private(set) var byID: [Int64: (dataset: String, key: String)] = [:]
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
                byID[row[0]] = (identity.dataset, identity.key)
            }
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
                byID[db.lastInsertedRowID] = (dataset, key)
            }
            if let id { last = (dataset, key, id) }
            return id
        }
    }

    func planObservations(_ pull: Pull, into changes: inout Changes) throws {
        let snapshot = pull.mode == .snapshot
        let loadAll = snapshot && (pull.observationScope.coversAnything || !pull.observations.isEmpty)
        guard loadAll || !pull.observations.isEmpty || !pull.deletedObservations.isEmpty else { return }
        if try !plan(pull.observations, pull, loadAll: loadAll, into: &changes) {
            // The pull repeats a key: keep the last occurrence of each and plan again.
            var kept = Set<ObservationKey>()
            let unique = pull.observations.reversed().filter { kept.insert($0.key).inserted }.reversed()
            changes = Changes()
            _ = try plan(Array(unique), pull, loadAll: loadAll, into: &changes)
        }
    }

    /// Plans the observation changes; false (with `changes` half-filled) when a key repeats.
    private func plan(
        _ observations: [Observation], _ pull: Pull, loadAll: Bool, into changes: inout Changes
    ) throws
        -> Bool
    {
        changes.observations = observations
        let series = try SeriesTable(db: db, sourceID: sourceID)
        var current: [Key: CurrentRow] = [:]
        if loadAll {
            current.reserveCapacity(max(observations.count, 16))
            let rows = RawStatement(
                try db.makeStatement(
                    sql: """
                        SELECT o.from_rev, o.hash, o.series_id, o.period FROM observation o
                        JOIN series s ON s.id = o.series_id
                        WHERE s.source_id = ? AND o.to_rev IS NULL
                        """), in: db)
            rows.bind(1, sourceID)
            while try rows.step() {
                current[Key(series: rows.int64(2), period: rows.string(3) ?? "")] = CurrentRow(
                    fromRevision: rows.int64(0), hash: rows.int64(1), seen: false)
            }
        }
        let lookup = RawStatement(
            try db.cachedStatement(
                sql: "SELECT from_rev, hash FROM observation WHERE series_id = ? AND period = ? AND to_rev IS NULL"),
            in: db)
        func fetchCurrent(_ key: Key) throws {
            guard !loadAll, current[key] == nil else { return }
            lookup.reset()
            lookup.bind(1, key.series)
            lookup.bind(2, key.period)
            if try lookup.step() {
                current[key] = CurrentRow(fromRevision: lookup.int64(0), hash: lookup.int64(1), seen: false)
            }
        }

        var added = Set<Key>()
        for (index, observation) in observations.enumerated() {
            guard
                let seriesID = try series.id(
                    dataset: observation.dataset, key: observation.series.canonical, create: true)
            else { continue }
            let key = Key(series: seriesID, period: observation.period.text)
            try fetchCurrent(key)
            let attributes = CanonicalJSON.object(observation.attributes)
            let hash = ContentHash.observation(observation, attributesJSON: attributes)
            if let row = current[key] {
                guard !row.seen else { return false }
                current[key]?.seen = true
                guard row.hash != hash else { continue }
                changes.closeObservations.append(
                    ClosedObservation(seriesID: key.series, period: key.period, fromRevision: row.fromRevision))
                changes.changed += 1
            } else {
                guard added.insert(key).inserted else { return false }
                changes.added += 1
                changes.observationCountDelta += 1
            }
            changes.openObservations.append(
                PlannedObservation(index: index, seriesID: seriesID, hash: hash, attributes: attributes))
        }

        var removed: [ClosedObservation] = []
        if pull.mode == .snapshot && pull.observationScope.coversAnything {
            for (key, row) in current where !row.seen {
                guard let identity = series.byID[key.series] else { continue }
                let observationKey = ObservationKey(dataset: identity.dataset, series: identity.key, period: key.period)
                if pull.observationScope.contains(observationKey) {
                    removed.append(
                        ClosedObservation(seriesID: key.series, period: key.period, fromRevision: row.fromRevision))
                }
            }
        }
        for deleted in pull.deletedObservations {
            guard let seriesID = try series.id(dataset: deleted.dataset, key: deleted.series, create: false) else {
                continue
            }
            let key = Key(series: seriesID, period: deleted.period)
            try fetchCurrent(key)
            if let row = current[key], !row.seen, !added.contains(key) {
                current[key]?.seen = true
                removed.append(
                    ClosedObservation(seriesID: key.series, period: key.period, fromRevision: row.fromRevision))
            }
        }
        // Sorted, so that the write order does not depend on dictionary order.
        for closed in removed.sorted(by: { ($0.seriesID, $0.period) < ($1.seriesID, $1.period) }) {
            changes.closeObservations.append(closed)
            changes.removed += 1
            changes.observationCountDelta -= 1
        }
        return true
    }
}
