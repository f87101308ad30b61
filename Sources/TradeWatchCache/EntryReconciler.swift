import Foundation
import GRDB
public import TradeWatchModel

/// Works out what a pull's entries change in one source, then writes it under the revision
/// being built. Entries compare by content hash, so a feed re-sent in another order changes
/// nothing. (Observations, which come by the million, stream through `ObservationReconciler`.)
struct EntryReconciler {
    let db: Database
    let sourceID: Int64

    struct Changes {
        var openEntries: [PreparedEntries.Entry] = []
        var closeEntries: [Int64] = []
        var added = 0
        var changed = 0
        var removed = 0
        var entryCountDelta = 0
    }

    func planEntries(_ prepared: PreparedEntries, mode: Pull.Mode, scope: EntryScope) throws -> Changes {
        var changes = Changes()
        let inScope: (String?) -> Bool
        switch mode == .snapshot ? scope : .none {
        case .none: inScope = { _ in false }
        case .all: inScope = { _ in true }
        case .publishedSince(let date):
            let floor = Timestamp.format(date)
            inScope = { published in published.map { $0 >= floor } ?? false }
        }
        guard !prepared.entries.isEmpty || scope != .none else { return changes }

        var current: [String: (id: Int64, hash: String, published: String?)] = [:]
        let select = RawStatement(
            try db.cachedStatement(
                sql: "SELECT id, entry_key, hash, published FROM entry WHERE source_id = ? AND to_rev IS NULL"),
            in: db)
        select.reset()
        select.bind(1, sourceID)
        while try select.step() {
            current[select.string(1) ?? ""] = (select.int64(0), select.string(2) ?? "", select.string(3))
        }
        select.reset()

        var seen = Set<String>(minimumCapacity: prepared.entries.count)
        for entry in prepared.entries {
            seen.insert(entry.key)
            if let existing = current[entry.key] {
                guard existing.hash != entry.hash else { continue }
                changes.closeEntries.append(existing.id)
                changes.changed += 1
            } else {
                changes.added += 1
                changes.entryCountDelta += 1
            }
            changes.openEntries.append(entry)
        }
        let removed = current.filter { !seen.contains($0.key) && inScope($0.value.published) }.map(\.value.id).sorted()
        for id in removed {
            changes.closeEntries.append(id)
            changes.removed += 1
            changes.entryCountDelta -= 1
        }
        return changes
    }
}

extension EntryReconciler.Changes {
    /// Writes the planned changes under `revision`. Runs inside the caller's transaction.
    func write(db: Database, sourceID: Int64, revision: Int64) throws {
        if !closeEntries.isEmpty {
            let close = RawStatement(try db.cachedStatement(sql: "UPDATE entry SET to_rev = ? WHERE id = ?"), in: db)
            let unindex = RawStatement(try db.cachedStatement(sql: "DELETE FROM entry_fts WHERE rowid = ?"), in: db)
            for id in closeEntries {
                close.reset()
                close.bind(1, revision)
                close.bind(2, id)
                try close.execute()
                unindex.reset()
                unindex.bind(1, id)
                try unindex.execute()
            }
        }
        if !openEntries.isEmpty {
            let insert = RawStatement(
                try db.cachedStatement(
                    sql: """
                        INSERT INTO entry (source_id, entry_key, guid, title, link, published, updated, authors,
                            summary, content, categories, extra, hash, from_rev)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """), in: db)
            let index = RawStatement(
                try db.cachedStatement(sql: "INSERT INTO entry_fts (rowid, title, body) VALUES (?, ?, ?)"), in: db)
            for new in openEntries {
                let f = new.fields
                insert.reset()
                insert.bind(1, sourceID)
                insert.bind(2, new.key)
                for (column, text) in [
                    f.guid, f.title, f.link, f.published, f.updated, f.authors, f.summary,
                    f.content, f.categories, f.extra, new.hash,
                ].enumerated() {
                    insert.bind(Int32(column + 3), text)
                }
                insert.bind(14, revision)
                try insert.execute()
                index.reset()
                index.bind(1, db.lastInsertedRowID)
                index.bind(2, new.searchTitle)
                index.bind(3, new.searchBody)
                try index.execute()
            }
        }
        if entryCountDelta != 0 {
            try db.run(
                sql: "UPDATE source_state SET current_entries = current_entries + ? WHERE source_id = ?",
                arguments: [entryCountDelta, sourceID])
        }
    }
}
