import Foundation
import GRDB
import TradeWatchModel

/// Works out what one pull changes in one source, then writes it as one revision.
///
/// Planning reads the source's current rows and compares by content hash, so a pull in
/// another order, or one that repeats what the cache holds, plans no change at all.
struct Reconciler {
    let db: Database
    let sourceID: Int64

    struct NewObservation {
        var observation: Observation
        var attributes: String?
        var hash: Int64
    }

    struct NewEntry {
        var key: String
        var fields: StoredEntryFields
        var hash: String
    }

    struct Changes {
        var openObservations: [NewObservation] = []
        var closeObservations: [Int64] = []
        var openEntries: [NewEntry] = []
        var closeEntries: [Int64] = []
        var added = 0
        var changed = 0
        var removed = 0
        var observationCountDelta = 0
        var entryCountDelta = 0

        var isEmpty: Bool { added == 0 && changed == 0 && removed == 0 }
    }

    func plan(_ pull: Pull) throws -> Changes {
        var changes = Changes()
        try planObservations(pull, into: &changes)
        try planEntries(pull, into: &changes)
        return changes
    }

    // MARK: Observations

    private struct Current {
        var id: Int64
        var hash: Int64
    }

    private static func key(_ dataset: String, _ series: String, _ period: String) -> String {
        dataset + "\u{1f}" + series + "\u{1f}" + period
    }

    private func planObservations(_ pull: Pull, into changes: inout Changes) throws {
        let snapshot = pull.mode == .snapshot
        let needsAll = snapshot && (pull.observationScope.coversAnything || !pull.observations.isEmpty)
        guard needsAll || !pull.observations.isEmpty || !pull.deletedObservations.isEmpty else { return }

        // Last occurrence of a key in the pull wins, deterministically.
        var winner: [String: Int] = [:]
        winner.reserveCapacity(pull.observations.count)
        var keys: [String] = []
        keys.reserveCapacity(pull.observations.count)
        for (index, observation) in pull.observations.enumerated() {
            let key = Self.key(observation.dataset, observation.series.canonical, observation.period.text)
            keys.append(key)
            winner[key] = index
        }

        var current: [String: Current] = [:]
        if needsAll {
            current.reserveCapacity(max(pull.observations.count, 1024))
            let cursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT id, hash, dataset, series_key, period FROM observation
                    WHERE source_id = ? AND to_rev IS NULL
                    """,
                arguments: [sourceID])
            while let row = try cursor.next() {
                let key = Self.key(row[2], row[3], row[4])
                current[key] = Current(id: row[0], hash: row[1])
            }
        } else {
            let lookup = try db.cachedStatement(
                sql: """
                    SELECT id, hash FROM observation
                    WHERE source_id = ? AND dataset = ? AND series_key = ? AND period = ? AND to_rev IS NULL
                    """)
            func fetch(_ dataset: String, _ series: String, _ period: String) throws {
                let key = Self.key(dataset, series, period)
                guard current[key] == nil else { return }
                if let row = try Row.fetchOne(lookup, arguments: [sourceID, dataset, series, period]) {
                    current[key] = Current(id: row[0], hash: row[1])
                }
            }
            for observation in pull.observations {
                try fetch(observation.dataset, observation.series.canonical, observation.period.text)
            }
            for key in pull.deletedObservations { try fetch(key.dataset, key.series, key.period) }
        }

        var seen = Set<String>()
        seen.reserveCapacity(pull.observations.count)
        for (index, observation) in pull.observations.enumerated() where winner[keys[index]] == index {
            let key = keys[index]
            seen.insert(key)
            let attributes = CanonicalJSON.object(observation.attributes)
            let hash = ContentHash.observation(observation, attributesJSON: attributes)
            if let existing = current[key] {
                guard existing.hash != hash else { continue }
                changes.closeObservations.append(existing.id)
                changes.changed += 1
            } else {
                changes.added += 1
                changes.observationCountDelta += 1
            }
            changes.openObservations.append(
                NewObservation(observation: observation, attributes: attributes, hash: hash))
        }

        var removedKeys: [(String, Int64)] = []
        if snapshot && pull.observationScope.coversAnything {
            for (key, row) in current where !seen.contains(key) {
                let parts = key.split(separator: "\u{1f}", maxSplits: 2, omittingEmptySubsequences: false)
                guard parts.count == 3 else { continue }
                let observationKey = ObservationKey(
                    dataset: String(parts[0]), series: String(parts[1]), period: String(parts[2]))
                if pull.observationScope.contains(observationKey) { removedKeys.append((key, row.id)) }
            }
        }
        for deleted in pull.deletedObservations {
            let key = Self.key(deleted.dataset, deleted.series, deleted.period)
            if !seen.contains(key), let row = current[key] {
                removedKeys.append((key, row.id))
                seen.insert(key)
            }
        }
        // Row ids ascend with insertion; sorting keeps the write order independent of hashing.
        for id in removedKeys.map(\.1).sorted() {
            changes.closeObservations.append(id)
            changes.removed += 1
            changes.observationCountDelta -= 1
        }
    }

    // MARK: Entries

    private func planEntries(_ pull: Pull, into changes: inout Changes) throws {
        let inScope: (String?) -> Bool
        switch pull.mode == .snapshot ? pull.entryScope : .none {
        case .none: inScope = { _ in false }
        case .all: inScope = { _ in true }
        case .publishedSince(let date):
            let floor = Timestamp.format(date)
            inScope = { published in published.map { $0 >= floor } ?? false }
        }
        guard !pull.entries.isEmpty || pull.entryScope != .none else { return }

        var current: [String: (id: Int64, hash: String, published: String?)] = [:]
        let cursor = try Row.fetchCursor(
            db, sql: "SELECT id, entry_key, hash, published FROM entry WHERE source_id = ? AND to_rev IS NULL",
            arguments: [sourceID])
        while let row = try cursor.next() { current[row[1]] = (row[0], row[2], row[3]) }

        var winner: [String: Int] = [:]
        for (index, entry) in pull.entries.enumerated() { winner[entry.key] = index }
        for (index, entry) in pull.entries.enumerated() where winner[entry.key] == index {
            let fields = StoredEntryFields(entry)
            let hash = ContentHash.entry(fields)
            if let existing = current[entry.key] {
                guard existing.hash != hash else { continue }
                changes.closeEntries.append(existing.id)
                changes.changed += 1
            } else {
                changes.added += 1
                changes.entryCountDelta += 1
            }
            changes.openEntries.append(NewEntry(key: entry.key, fields: fields, hash: hash))
        }
        let removed = current.filter { winner[$0.key] == nil && inScope($0.value.published) }.map(\.value.id).sorted()
        for id in removed {
            changes.closeEntries.append(id)
            changes.removed += 1
            changes.entryCountDelta -= 1
        }
    }
}

extension Reconciler.Changes {
    /// Writes the planned changes under `revision`. Runs inside the caller's transaction.
    func write(db: Database, sourceID: Int64, revision: Int64) throws {
        if !closeObservations.isEmpty {
            let close = try db.cachedStatement(sql: "UPDATE observation SET to_rev = ? WHERE id = ?")
            for id in closeObservations {
                close.setUncheckedArguments([revision, id])
                try close.execute()
            }
        }
        if !openObservations.isEmpty {
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO observation (source_id, dataset, series_key, period, period_start, period_end, value,
                        number, unit, unit_mult, status, attributes, hash, from_rev)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for new in openObservations {
                let o = new.observation
                insert.setUncheckedArguments([
                    sourceID, o.dataset, o.series.canonical, o.period.text, o.period.start?.description,
                    o.period.end?.description, o.value, o.number, o.unit, o.unitMultiplier, o.status, new.attributes,
                    new.hash, revision,
                ])
                try insert.execute()
            }
        }
        if !closeEntries.isEmpty {
            let close = try db.cachedStatement(sql: "UPDATE entry SET to_rev = ? WHERE id = ?")
            let unindex = try db.cachedStatement(sql: "DELETE FROM entry_fts WHERE rowid = ?")
            for id in closeEntries {
                try close.execute(arguments: [revision, id])
                try unindex.execute(arguments: [id])
            }
        }
        if !openEntries.isEmpty {
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO entry (source_id, entry_key, guid, title, link, published, updated, authors, summary,
                        content, categories, extra, hash, from_rev)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            let index = try db.cachedStatement(sql: "INSERT INTO entry_fts (rowid, title, body) VALUES (?, ?, ?)")
            for new in openEntries {
                let f = new.fields
                try insert.execute(arguments: [
                    sourceID, new.key, f.guid, f.title, f.link, f.published, f.updated, f.authors, f.summary,
                    f.content, f.categories, f.extra, new.hash, revision,
                ])
                try index.execute(arguments: [
                    db.lastInsertedRowID, f.title.map(PlainText.strippingMarkup), f.searchBody,
                ])
            }
        }
        try db.execute(
            sql: """
                UPDATE source_state SET current_observations = current_observations + ?,
                    current_entries = current_entries + ?
                WHERE source_id = ?
                """,
            arguments: [observationCountDelta, entryCountDelta, sourceID])
    }
}
