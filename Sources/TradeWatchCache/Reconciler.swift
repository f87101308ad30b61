import Foundation
import GRDB
import TradeWatchModel

/// Works out what a pull's entries change in one source, then writes it under the revision
/// being built. Entries compare by content hash, so a feed re-sent in another order changes
/// nothing. (Observations, which come by the million, stream through `ObservationReconciler`.)
struct Reconciler {
    let db: Database
    let sourceID: Int64

    struct NewEntry {
        var key: String
        var fields: StoredEntryFields
        var hash: String
    }

    struct Changes {
        var openEntries: [NewEntry] = []
        var closeEntries: [Int64] = []
        var added = 0
        var changed = 0
        var removed = 0
        var entryCountDelta = 0

        var isEmpty: Bool { added == 0 && changed == 0 && removed == 0 }
    }

    func planEntries(_ pull: Pull) throws -> Changes {
        var changes = Changes()
        let inScope: (String?) -> Bool
        switch pull.mode == .snapshot ? pull.entryScope : .none {
        case .none: inScope = { _ in false }
        case .all: inScope = { _ in true }
        case .publishedSince(let date):
            let floor = Timestamp.format(date)
            inScope = { published in published.map { $0 >= floor } ?? false }
        }
        guard !pull.entries.isEmpty || pull.entryScope != .none else { return changes }

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
        return changes
    }
}

extension Reconciler.Changes {
    /// Writes the planned changes under `revision`. Runs inside the caller's transaction.
    func write(db: Database, sourceID: Int64, revision: Int64) throws {
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
                UPDATE source_state SET current_entries = current_entries + ? WHERE source_id = ?
                """,
            arguments: [entryCountDelta, sourceID])
    }
}
