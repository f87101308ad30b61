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

    /// An observation of the pull to insert as a new version.
    struct PlannedObservation {
        var index: Int
        var seriesID: Int64
        var hash: Int64
        var attributes: String?
    }

    struct NewEntry {
        var key: String
        var fields: StoredEntryFields
        var hash: String
    }

    /// A current observation version to close, by its primary key.
    struct ClosedObservation {
        var seriesID: Int64
        var period: String
        var fromRevision: Int64
    }

    struct Changes {
        /// The pull's observations, deduplicated when the pull repeated a key.
        var observations: [Observation] = []
        var openObservations: [PlannedObservation] = []
        var closeObservations: [ClosedObservation] = []
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
            let close = RawStatement(
                try db.cachedStatement(
                    sql: "UPDATE observation SET to_rev = ? WHERE series_id = ? AND period = ? AND from_rev = ?"),
                in: db)
            for closed in closeObservations {
                close.reset()
                close.bind(1, revision)
                close.bind(2, closed.seriesID)
                close.bind(3, closed.period)
                close.bind(4, closed.fromRevision)
                try close.execute()
            }
        }
        if !openObservations.isEmpty {
            let insert = RawStatement(
                try db.cachedStatement(
                    sql: """
                        INSERT INTO observation (series_id, period, period_start, period_end, value, number, unit,
                            unit_mult, status, attributes, hash, from_rev)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """), in: db)
            for planned in openObservations {
                let o = observations[planned.index]
                insert.reset()
                insert.bind(1, planned.seriesID)
                insert.bind(2, o.period.text)
                insert.bind(3, o.period.start?.description)
                insert.bind(4, o.period.end?.description)
                insert.bind(5, o.value)
                insert.bind(6, o.number)
                insert.bind(7, o.unit)
                insert.bind(8, o.unitMultiplier.map(Int64.init))
                insert.bind(9, o.status)
                insert.bind(10, planned.attributes)
                insert.bind(11, planned.hash)
                insert.bind(12, revision)
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
