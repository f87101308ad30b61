public import Foundation
import GRDB
public import TradeWatchModel

extension SQLiteCache {
    /// Makes a source known to the cache (or updates its kind) and returns its row id.
    @discardableResult
    public func registerSource(name: String, kind: String, at date: Date) throws -> Int64 {
        try write { db in try Self.sourceID(db, name: name, kind: kind, at: date) }
    }

    /// Records one fetch and what it came to; see `CacheWriter.record`.
    @discardableResult
    public func record(_ fetch: FetchToRecord) throws -> FetchRecord {
        switch fetch.result {
        case .failed(let code, let message):
            return try write { db in
                try Self.finishRecord(db, fetch, outcome: .failed, revision: nil, error: (code, message), raw: nil)
            }
        case .notModified:
            return try write { db in
                try Self.finishRecord(
                    db, fetch, outcome: .notModified, revision: nil, error: (nil, nil), raw: fetch.raw)
            }
        case .samePayload:
            return try write { db in
                try Self.finishRecord(db, fetch, outcome: .unchanged, revision: nil, error: (nil, nil), raw: fetch.raw)
            }
        case .pulled(let content):
            return try write { db in try Self.recordPull(db, fetch, content) }
        }
    }

    /// Applies a pull as one revision, inside the recording transaction: observations stream
    /// from `content.produce` into the reconciler (a pull of millions never sits in memory),
    /// then the prepared entries are planned and written.
    private static func recordPull(
        _ db: Database, _ fetch: FetchToRecord, _ content: PullContent
    ) throws
        -> FetchRecord
    {
        let sourceID = try Self.sourceID(db, name: fetch.source, kind: fetch.kind, at: fetch.attempt.startedAt)
        // The revision is opened first so rows can name it; it is dropped again if the pull
        // changes nothing (the id is then reused, leaving no gap).
        try db.run(
            sql: "INSERT INTO revision (source_id, created_at, added, changed, removed) VALUES (?, ?, 0, 0, 0)",
            arguments: [sourceID, Timestamp.format(fetch.finishedAt)])
        let revisionID = db.lastInsertedRowID
        // Series above this id are the pull's own: indexed once it is written.
        let lastSeries = try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(id), 0) FROM series")) ?? 0
        let observations = try ObservationReconciler(
            db: db, sourceID: sourceID, revision: revisionID, mode: content.mode, scope: content.observationScope)
        let sink = PullSink(observations: observations)
        try content.produce(sink)
        try observations.finish()
        let entries = try EntryReconciler(db: db, sourceID: sourceID).planEntries(
            content.entries, mode: content.mode, scope: content.entryScope)
        try entries.write(db: db, sourceID: sourceID, revision: revisionID)
        if observations.changed + observations.removed > 0 {
            for sql in Self.changeLogSQL { try db.run(sql: sql, arguments: [revisionID]) }
        }
        let labels = try Self.writeLabels(db, sourceID: sourceID, revision: revisionID, sink: sink)
        try Self.indexSeries(db, sourceID: sourceID, createdAbove: lastSeries, renamed: labels.renamed)

        let (added, changed, removed) = (
            observations.added + entries.added, observations.changed + entries.changed,
            observations.removed + entries.removed
        )
        var revision: RevisionSummary?
        if added + changed + removed + labels.count == 0 {
            try db.run(sql: "DELETE FROM revision WHERE id = ?", arguments: [revisionID])
        } else {
            try db.run(
                sql: "UPDATE revision SET added = ?, changed = ?, removed = ?, labels = ? WHERE id = ?",
                arguments: [added, changed, removed, labels.count, revisionID])
            try db.run(
                sql: "UPDATE source_state SET current_observations = current_observations + ? WHERE source_id = ?",
                arguments: [observations.countDelta, sourceID])
            revision = RevisionSummary(
                id: revisionID, source: fetch.source, fetchID: nil, createdAt: fetch.finishedAt, added: added,
                changed: changed, removed: removed, labels: labels.count)
        }
        var fetch = fetch
        fetch.attempt.warnings += sink.warnings
        let record = try Self.finishRecord(
            db, fetch, outcome: revision == nil ? .unchanged : .changed, revision: revision, error: (nil, nil),
            raw: fetch.raw)
        // A payload was read: its warnings (or none) are what the source's status shows.
        let warnings = fetch.attempt.warnings
        try db.run(
            sql: "UPDATE source_state SET last_warnings = ? WHERE source_id = ?",
            arguments: [warnings.isEmpty ? nil : JSONText.array(warnings), sourceID])
        return record
    }

    /// The fetch row, the kept payload and the scheduling state: what every recorded fetch writes.
    private static func finishRecord(
        _ db: Database, _ fetch: FetchToRecord, outcome: FetchRecord.Outcome, revision: RevisionSummary?,
        error: (String?, String?), raw: RawPayload?
    ) throws -> FetchRecord {
        let (source, kind, attempt, nextDue, finishedAt) = (
            fetch.source, fetch.kind, fetch.attempt, fetch.nextDue, fetch.finishedAt
        )
        let sourceID = try sourceID(db, name: source, kind: kind, at: attempt.startedAt)
        let (fetchID, revision) = try insertFetch(
            db, sourceID: sourceID, attempt: attempt, outcome: outcome, error: error, revision: revision, document: nil)
        if let raw, outcome != .failed, let sha = attempt.payloadSHA256 {
            try keepPayload(raw, sha256: sha, sourceID: sourceID, db: db, at: finishedAt)
        }
        try updateState(
            db, sourceID: sourceID, attempt: attempt, outcome: outcome, error: error, nextDue: nextDue, at: finishedAt)
        return FetchRecord(fetchID: fetchID, outcome: outcome, revision: revision, warnings: attempt.warnings)
    }

    /// The fetch row, pointed to by the revision it created (if any): every recorded fetch,
    /// of data (`document` nil) or of a reference document, writes one.
    static func insertFetch(
        _ db: Database, sourceID: Int64, attempt: FetchAttempt, outcome: FetchRecord.Outcome,
        error: (String?, String?), revision: RevisionSummary?, document: String?
    ) throws -> (Int64, RevisionSummary?) {
        try db.run(
            sql: """
                INSERT INTO fetch (source_id, started_at, url, http_status, bytes, etag, last_modified,
                    content_type, payload_sha256, duration_ms, outcome, error_code, error_message, revision_id,
                    warnings, document)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                sourceID, Timestamp.format(attempt.startedAt), attempt.url, attempt.httpStatus, attempt.bytes,
                attempt.etag, attempt.lastModified, attempt.contentType, attempt.payloadSHA256,
                attempt.durationMilliseconds, outcome.rawValue, error.0, error.1, revision?.id,
                attempt.warnings.isEmpty ? nil : JSONText.array(attempt.warnings), document,
            ])
        let fetchID = db.lastInsertedRowID
        var revision = revision
        if let id = revision?.id {
            try db.run(sql: "UPDATE revision SET fetch_id = ? WHERE id = ?", arguments: [fetchID, id])
            revision?.fetchID = fetchID
        }
        return (fetchID, revision)
    }

    /// Runs `body` in one write transaction, translating SQLite failures into `CacheError`.
    /// Inside `writeBatch` it runs in a savepoint of the batch's transaction instead.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        guard access == .readWrite else {
            throw CacheError(.invalidArgument, "the cache was opened read-only", path: path)
        }
        try health.ensureSound(path: path)
        if let batch = WriteBatch.current, batch.pool === pool {
            return try batch.inSavepoint(body, path: path)
        }
        do {
            return try pool.write(body)
        } catch let error as DatabaseError {
            throw CacheError.database(error, path: path)
        }
    }

    /// Runs `jobs` — closures that record through this cache (`record`) —
    /// in one write transaction, each inside a savepoint of its own: one commit instead of
    /// one per job (a sync of a thousand small feeds spends most of its writing time on
    /// commits), while a job that throws still leaves nothing behind and the others commit.
    ///
    /// Returns each job's error, `nil` for those that succeeded; their writes are durable
    /// once this returns. Throws — having written nothing at all — when SQLite itself fails
    /// (disk full, I/O error) in a job or at the commit: the caller may then run the jobs
    /// one at a time, each in its own transaction, to tell which one cannot be written.
    public func writeBatch(_ jobs: [() throws -> Void]) throws -> [(any Error)?] {
        guard access == .readWrite else {
            throw CacheError(.invalidArgument, "the cache was opened read-only", path: path)
        }
        try health.ensureSound(path: path)
        do {
            return try pool.writeWithoutTransaction { db in
                var errors: [(any Error)?] = []
                errors.reserveCapacity(jobs.count)
                try db.inTransaction(.immediate) {
                    let batch = WriteBatch(db: db, pool: pool)
                    for job in jobs {
                        do {
                            try WriteBatch.$current.withValue(batch) { try job() }
                            errors.append(nil)
                        } catch {
                            // SQLite may have rolled the whole transaction back (SQLITE_FULL does):
                            // nothing of the batch can be trusted to commit.
                            if let failure = batch.databaseFailure { throw failure }
                            errors.append(error)
                        }
                    }
                    return .commit
                }
                return errors
            }
        } catch let error as DatabaseError {
            throw CacheError.database(error, path: path)
        }
    }

    static func sourceID(_ db: Database, name: String, kind: String, at date: Date) throws -> Int64 {
        if let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT id, kind FROM source WHERE name = ?"), arguments: [name])
        {
            let id: Int64 = row[0]
            if (row[1] as String) != kind {
                try db.run(sql: "UPDATE source SET kind = ? WHERE id = ?", arguments: [kind, id])
            }
            return id
        }
        try db.run(
            sql: "INSERT INTO source (name, kind, created_at) VALUES (?, ?, ?)",
            arguments: [name, kind, Timestamp.format(date)])
        let id = db.lastInsertedRowID
        try db.run(sql: "INSERT INTO source_state (source_id) VALUES (?)", arguments: [id])
        return id
    }

    private static func keepPayload(
        _ raw: RawPayload, sha256: String, sourceID: Int64, db: Database, at date: Date
    ) throws {
        let exists =
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM payload WHERE source_id = ? AND sha256 = ?"),
                arguments: [sourceID, sha256])
            ?? false
        if !exists {
            // Compressed as the chunks come: only the compressed form is ever whole in memory.
            let stored = try Gzip.compress(chunks: raw.chunks)
            try db.run(
                sql: """
                    INSERT INTO payload (source_id, sha256, size, stored_size, content_type, data, created_at, redacted)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    sourceID, sha256, raw.size, stored.count, raw.contentType, stored, Timestamp.format(date),
                    raw.redacted,
                ])
        }
        try db.run(
            sql: """
                DELETE FROM payload WHERE source_id = :source AND sha256 NOT IN (
                    SELECT payload_sha256 FROM fetch
                    WHERE source_id = :source AND payload_sha256 IS NOT NULL AND outcome != 'failed'
                        AND document IS NULL
                    ORDER BY id DESC LIMIT :keep)
                """,
            arguments: ["source": sourceID, "keep": max(1, raw.keep)])
    }

    private static func updateState(
        _ db: Database, sourceID: Int64, attempt: FetchAttempt, outcome: FetchRecord.Outcome,
        error: (String?, String?), nextDue: Date?, at date: Date
    ) throws {
        let now = Timestamp.format(date)
        let due = nextDue.map(Timestamp.format)
        if outcome == .failed {
            try db.run(
                sql: """
                    UPDATE source_state SET consecutive_failures = consecutive_failures + 1, last_attempt = ?,
                        last_outcome = 'failed', last_error_code = ?, last_error_message = ?,
                        next_due = coalesce(?, next_due)
                    WHERE source_id = ?
                    """,
                arguments: [now, error.0, error.1, due, sourceID])
        } else {
            // A 304 carries no payload: keep the validators and payload hash we had.
            try db.run(
                sql: """
                    UPDATE source_state SET consecutive_failures = 0, last_attempt = :now, last_outcome = :outcome,
                        last_success = :now, last_pull_started = :started, last_error_code = NULL,
                        last_error_message = NULL, next_due = coalesce(:due, next_due),
                        etag = CASE WHEN :notModified THEN coalesce(:etag, etag) ELSE :etag END,
                        last_modified = CASE WHEN :notModified THEN coalesce(:lastModified, last_modified)
                            ELSE :lastModified END,
                        payload_sha256 = coalesce(:sha, payload_sha256)
                    WHERE source_id = :source
                    """,
                arguments: [
                    "now": now, "outcome": outcome.rawValue, "started": Timestamp.format(attempt.startedAt),
                    "due": due, "notModified": outcome == .notModified, "etag": attempt.etag,
                    "lastModified": attempt.lastModified, "sha": attempt.payloadSHA256, "source": sourceID,
                ])
        }
    }
}

extension SQLiteCache {
    /// A kept raw payload of `source`, decompressed: the bytes exactly as the server sent them.
    public func payload(source: String, sha256: String) throws -> Data? {
        let stored = try read { db in
            try Data.fetchOne(
                db,
                sql: """
                    SELECT p.data FROM payload p JOIN source s ON s.id = p.source_id
                    WHERE s.name = ? AND p.sha256 = ?
                    """, arguments: [source, sha256])
        }
        guard let stored else { return nil }
        do {
            return try Gzip.decompress(stored)
        } catch {
            throw CacheError(.database, "the payload \(sha256) of \(source) is damaged: \(error)", path: path)
        }
    }

    /// The SHA-256 of every payload kept for `source`, newest first.
    public func keptPayloads(source: String) throws -> [String] {
        try read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT p.sha256 FROM payload p JOIN source s ON s.id = p.source_id
                    WHERE s.name = ? ORDER BY p.created_at DESC, p.sha256
                    """, arguments: [source])
        }
    }
}

/// The transaction `writeBatch` is running on this thread, which `write` joins with a
/// savepoint instead of opening a transaction of its own.
final class WriteBatch: @unchecked Sendable {  // used only on the thread that runs the batch
    @TaskLocal static var current: WriteBatch?

    let db: Database
    let pool: DatabasePool
    /// The first failure SQLite itself reported inside the batch.
    private(set) var databaseFailure: DatabaseError?

    init(db: Database, pool: DatabasePool) {
        self.db = db
        self.pool = pool
    }

    func inSavepoint<T>(_ body: (Database) throws -> T, path: String) throws -> T {
        var result: T?
        do {
            try db.inSavepoint {
                result = try body(db)
                return .commit
            }
        } catch let error as DatabaseError {
            databaseFailure = databaseFailure ?? error
            throw CacheError.database(error, path: path)
        }
        guard let result else { throw CacheError(.database, "a batched write returned nothing", path: path) }
        return result
    }
}

extension Database {
    /// Runs `sql` through the connection's statement cache: compiled once, not on every call
    /// (a sync of a thousand feeds records a thousand fetches).
    func run(sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
