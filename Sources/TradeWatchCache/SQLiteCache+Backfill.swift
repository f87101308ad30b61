import GRDB

extension SQLiteCache {
    /// How far one call of `backfillChangeLog` got.
    struct BackfillProgress: Equatable {
        /// Change log rows written.
        var rows = 0
        /// Transactions committed.
        var batches = 0
        /// Whether every revision now has its log.
        var finished = false
    }

    /// Log rows after which a backfill transaction commits (a revision is never split: the
    /// batch may exceed this by one revision's rows).
    static let backfillBatchRows = 100_000
    /// Revisions after which a backfill transaction commits even if they logged little.
    static let backfillBatchRevisions = 5_000

    /// Fills the change log for the revisions written before migration v3 (before
    /// `change_log_from`), newest first, so that every diff reads the log.
    ///
    /// This runs after the migrator, not as a migration: GRDB runs a migration in one
    /// transaction, and a cache with millions of closed versions would then write its whole
    /// log in one transaction and, if stopped midway, start again from nothing. Here each batch
    /// of revisions is a transaction of its own that also lowers `change_log_from` to the
    /// oldest revision it logged: a stop loses at most the batch under way, the next open
    /// continues below the mark, and no revision is logged twice (its rows and the mark
    /// commit together; the log's primary key would refuse a repeat anyway).
    ///
    /// Each revision is logged by `changeLogSQL`, the statements the live path runs when it
    /// records a revision: versions are never rewritten once their revision committed (later
    /// revisions only set `to_rev` on open ones), so they give the rows that revision's live
    /// path would have written. The work is two set-based statements per revision inside
    /// SQLite, starting from the `to_rev` index: nothing is held in Swift memory.
    ///
    /// - Parameter batches: stop after this many committed batches (nil: run to the end).
    @discardableResult
    static func backfillChangeLog(
        _ writer: some DatabaseWriter, batchRows: Int = backfillBatchRows,
        batchRevisions: Int = backfillBatchRevisions, batches: Int? = nil,
        onBatch: ((ChangeLogBackfill) -> Void)? = nil
    ) throws -> BackfillProgress {
        var progress = BackfillProgress()
        while batches.map({ progress.batches < $0 }) ?? true {
            let (rows, done) = try writer.write { db -> (Int, Bool) in
                guard let mark = try changeLogFrom(db), mark > 1 else { return (0, true) }
                let revisions = try Int64.fetchAll(
                    db, sql: "SELECT id FROM revision WHERE id < ? ORDER BY id DESC LIMIT ?",
                    arguments: [mark, batchRevisions])
                guard !revisions.isEmpty else {
                    // Nothing older to log: the log covers every revision there is.
                    try setChangeLogFrom(db, 1)
                    return (0, true)
                }
                var rows = 0
                var oldest = mark
                for revision in revisions {
                    for sql in changeLogSQL {
                        try db.execute(sql: sql, arguments: [revision])
                        rows += db.changesCount
                    }
                    oldest = revision
                    if rows >= batchRows { break }
                }
                try setChangeLogFrom(db, oldest)
                return (rows, false)
            }
            progress.rows += rows
            if done {
                progress.finished = true
                break
            }
            progress.batches += 1
            if let onBatch, let mark = try writer.read({ try changeLogFrom($0) }) {
                onBatch(ChangeLogBackfill(rows: progress.rows, batches: progress.batches, revisionsLeft: mark - 1))
            }
        }
        return progress
    }

    /// The oldest revision whose change log is written (every later one has its log too);
    /// nil in a cache migrated before v3.
    static func changeLogFrom(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT value FROM cache_setting WHERE name = 'change_log_from'"))
    }

    private static func setChangeLogFrom(_ db: Database, _ revision: Int64) throws {
        try db.execute(
            sql: "UPDATE cache_setting SET value = ? WHERE name = 'change_log_from'", arguments: [revision])
    }
}

/// How far the change log's backfill has come (after an upgrade from a cache made before
/// migration v3), reported after each committed batch.
public struct ChangeLogBackfill: Sendable, Equatable {
    /// Log rows written so far in this run.
    public var rows: Int
    /// Batches committed so far in this run.
    public var batches: Int
    /// Revisions older than the log still to do (the log covers every later one).
    public var revisionsLeft: Int64
}
