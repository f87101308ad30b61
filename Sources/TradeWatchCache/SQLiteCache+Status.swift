public import Foundation
import GRDB
import TradeWatchModel

/// Everything `tradewatch status` shows for one source, from one query.
public struct SourceStatus: Sendable, Codable {
    public var name: String
    public var kind: String
    public var lastAttempt: Date?
    public var lastOutcome: String?
    public var lastSuccess: Date?
    public var nextDue: Date?
    public var consecutiveFailures: Int
    public var lastErrorCode: String?
    public var lastErrorMessage: String?
    public var observations: Int
    public var entries: Int
    public var revisions: Int
    public var lastRevision: Int64?
    /// What reading the payload the source holds now noticed without failing (repeated keys…).
    public var lastWarnings: [String] = []
}

/// What the scheduler persists for one source between runs.
public struct SyncState: Sendable {
    public var etag: String?
    public var lastModified: String?
    public var payloadSHA256: String?
    public var urlOverride: String?
    public var nextDue: Date?
    public var consecutiveFailures: Int
    public var lastSuccess: Date?
    /// When the last successful pull started: the `updatedAfter` of the next delta pull.
    public var lastPullStarted: Date?
}

/// The daemon's heartbeat as last written.
public struct DaemonHeartbeat: Sendable, Codable {
    public var pid: Int32
    public var version: String
    public var startedAt: Date
    public var heartbeatAt: Date
    public var status: String?
    /// Where the daemon listens for `tradewatch sync`, when it does.
    public var controlSocket: String?
    /// Set when the daemon stopped cleanly; nil while it runs (or after a crash).
    public var stoppedAt: Date?
}

/// One full-text search hit.
public struct SearchHit: Sendable {
    public var source: String
    public var entry: EntryVersion
    /// The matching text with matches between `[` and `]`.
    public var snippet: String
}

extension SQLiteCache {
    /// Per-source status, sorted by name. Decoded straight from SQLite: `tradewatch status`
    /// lists every source, and GRDB's rows cost more than the query.
    public func status() throws -> [SourceStatus] {
        try read { db in
            let statement = try db.makeStatement(
                sql: """
                    SELECT s.name, s.kind, st.last_attempt, st.last_outcome, st.last_success, st.next_due,
                        st.consecutive_failures, st.last_error_code, st.last_error_message, st.current_observations,
                        st.current_entries,
                        (SELECT count(*) FROM revision r WHERE r.source_id = s.id),
                        (SELECT max(id) FROM revision r WHERE r.source_id = s.id),
                        st.last_warnings
                    FROM source s JOIN source_state st ON st.source_id = s.id ORDER BY s.name
                    """)
            let raw = RawStatement(statement, in: db)
            var sources: [SourceStatus] = []
            while try raw.step() {
                sources.append(
                    SourceStatus(
                        name: raw.string(0) ?? "", kind: raw.string(1) ?? "", lastAttempt: Self.date(raw.string(2)),
                        lastOutcome: raw.string(3), lastSuccess: Self.date(raw.string(4)),
                        nextDue: Self.date(raw.string(5)), consecutiveFailures: Int(raw.int64(6)),
                        lastErrorCode: raw.string(7), lastErrorMessage: raw.string(8), observations: Int(raw.int64(9)),
                        entries: Int(raw.int64(10)), revisions: Int(raw.int64(11)), lastRevision: raw.optionalInt64(12),
                        lastWarnings: Self.strings(json: raw.string(13)))
                )
            }
            return sources
        }
    }

    /// A stored JSON array of strings; empty when absent or unreadable.
    static func strings(json: String?) -> [String] {
        guard let json, let data = json.data(using: .utf8) else { return [] }
        return (try? JSONDecoder().decode([String].self, from: data)) ?? []
    }

    /// The persisted scheduling state of `source`, nil when the cache has never seen it.
    public func syncState(source: String) throws -> SyncState? {
        try read { db in
            // Compiled once per connection: the scheduler asks this before every sync.
            try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT st.etag, st.last_modified, st.payload_sha256, st.url_override, st.next_due,
                            st.consecutive_failures, st.last_success, st.last_pull_started
                        FROM source s JOIN source_state st ON st.source_id = s.id WHERE s.name = ?
                        """), arguments: [source]
            ).map { row in
                SyncState(
                    etag: row[0], lastModified: row[1], payloadSHA256: row[2], urlOverride: row[3],
                    nextDue: Self.date(row[4]), consecutiveFailures: row[5], lastSuccess: Self.date(row[6]),
                    lastPullStarted: Self.date(row[7]))
            }
        }
    }

    public func heartbeat() throws -> DaemonHeartbeat? {
        try read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT pid, version, started_at, heartbeat_at, status, control_socket, stopped_at
                    FROM daemon WHERE id = 1
                    """
            )
            .map { row in
                DaemonHeartbeat(
                    pid: row[0], version: row[1], startedAt: Self.date(row[2]) ?? Date(timeIntervalSince1970: 0),
                    heartbeatAt: Self.date(row[3]) ?? Date(timeIntervalSince1970: 0), status: row[4],
                    controlSocket: row[5], stoppedAt: Self.date(row[6]))
            }
        }
    }

    /// Full-text search over the current entries, best matches first. `query` is FTS5 syntax;
    /// plain words match all of them.
    public func search(_ search: SearchQuery) throws -> [SearchHit] {
        let (query, sources, since, limit) = (search.text, search.sources, search.since, search.limit)
        let (clause, arguments) = Self.filterSQL(RowFilter(sources: sources), table: "e")
        var sql = """
            SELECT \(Self.entryColumns), snippet(entry_fts, -1, '[', ']', '…', 12)
            FROM entry_fts JOIN entry e ON e.id = entry_fts.rowid JOIN source s ON s.id = e.source_id
            WHERE entry_fts MATCH ? \(clause)
            """
        var all = StatementArguments([query]) + arguments
        if let since {
            sql += " AND coalesce(e.published, e.updated) >= ?"
            all += [Timestamp.format(since)]
        }
        sql += " ORDER BY bm25(entry_fts), e.id DESC LIMIT \(max(0, limit))"
        return try read { db in
            try Row.fetchAll(db, sql: sql, arguments: all).map { row in
                let version = Self.entryVersion(row)
                return SearchHit(source: version.source, entry: version, snippet: row[14])
            }
        }
    }

    static func date(_ text: String?) -> Date? { text.flatMap(Timestamp.parse) }
}
