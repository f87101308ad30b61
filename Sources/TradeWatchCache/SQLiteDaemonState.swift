public import Foundation
import GRDB
import TradeWatchModel

/// The daemon's own rows in an SQLite cache: its heartbeat and the permanent redirects it
/// follows. Obtained from `SQLiteCache.daemonState`.
public struct SQLiteDaemonState: DaemonStateStore {
    let cache: SQLiteCache

    public func beat(
        pid: Int32, version: String, startedAt: Date, status: String?, controlSocket: String?, at date: Date
    ) throws {
        try writeDaemonRow { db in
            try db.execute(
                sql: """
                    INSERT INTO daemon (id, pid, version, started_at, heartbeat_at, status, control_socket, stopped_at)
                    VALUES (1, ?, ?, ?, ?, ?, ?, NULL)
                    ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, version = excluded.version,
                        started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, status = excluded.status,
                        control_socket = excluded.control_socket, stopped_at = NULL
                    """,
                arguments: [
                    pid, version, Timestamp.format(startedAt), Timestamp.format(date), status, controlSocket,
                ])
        }
    }

    public func markStopped(pid: Int32, at date: Date) throws {
        try writeDaemonRow { db in
            try db.execute(
                sql: "UPDATE daemon SET stopped_at = ?, status = 'stopped' WHERE id = 1 AND pid = ?",
                arguments: [Timestamp.format(date), pid])
        }
    }

    /// Registers the source if this is its first fetch. Refused once the cache is found damaged.
    public func rememberRedirect(source: String, kind: String, url: String?) throws {
        try cache.write { db in
            let id = try SQLiteCache.sourceID(db, name: source, kind: kind, at: Date())
            try db.execute(sql: "UPDATE source_state SET url_override = ? WHERE source_id = ?", arguments: [url, id])
        }
    }

    /// The daemon's one row, written even once the cache is found damaged (when every other
    /// write refuses): it is how `status` and monitors know the daemon still runs.
    private func writeDaemonRow(_ body: (Database) throws -> Void) throws {
        guard cache.access == .readWrite else {
            throw CacheError(.invalidArgument, "the cache was opened read-only", path: cache.path)
        }
        do {
            try cache.pool.write(body)
        } catch let error as DatabaseError {
            throw CacheError.database(error, path: cache.path)
        }
    }
}
