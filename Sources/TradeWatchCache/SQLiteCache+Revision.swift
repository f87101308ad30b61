import Foundation
import GRDB
import TradeWatchModel

extension SQLiteCache {
    /// One revision of the log, or nil when there is none with that id: a lookup by primary
    /// key, for a caller that needs one revision's time or counts without reading the log.
    public func revision(_ id: Int64) throws -> RevisionSummary? {
        try read { db in
            try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT r.id, s.name, r.fetch_id, r.created_at, r.added, r.changed, r.removed, r.labels
                        FROM revision r JOIN source s ON s.id = r.source_id WHERE r.id = ?
                        """),
                arguments: [id]
            ).map { row in
                RevisionSummary(
                    id: row[0], source: row[1], fetchID: row[2],
                    createdAt: Timestamp.parse(row[3]) ?? Date(timeIntervalSince1970: 0), added: row[4],
                    changed: row[5], removed: row[6], labels: row[7])
            }
        }
    }
}
