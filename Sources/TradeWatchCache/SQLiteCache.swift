public import Foundation
public import GRDB
import GRDBSQLite

/// The versioned cache: one SQLite file shared by the daemon (the only writer) and any
/// number of CLI readers, through WAL and a busy timeout.
///
/// Every method is named after what it does for tradewatch (`recordSync`, `diff`,
/// `history`, `verify`); SQL stays inside this module.
public struct SQLiteCache: Sendable {
    public enum Access: Sendable {
        /// Creates the file when missing and runs pending migrations. For the daemon.
        case readWrite
        /// Never writes. For the CLI while the daemon runs.
        case readOnly
    }

    /// The pool every query goes through.
    let pool: DatabasePool
    public let path: String
    public let access: Access
    /// Set when `quickCheck` finds the file damaged: every write refuses from then on.
    public let health = CacheHealth()

    /// Opens (and for `.readWrite`, creates and migrates) the cache at `path`.
    /// - Parameter backfill: told after each batch while a cache from before migration v3 has its
    ///   change log filled in (the daemon logs it and asks systemd for more start time).
    public init(
        path: String, access: Access = .readWrite, busyTimeout: TimeInterval = 10,
        backfill: ((ChangeLogBackfill) -> Void)? = nil
    ) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.readonly = access == .readOnly
        configuration.label = "tradewatch-cache"
        configuration.prepareDatabase { db in
            // Keep `-wal` and `-shm` when the last connection closes: a reader in the
            // service's group can open a 0640 cache in a 0750 folder read-only only if they
            // exist (it cannot create them), and that is when a monitor asks whether the
            // daemon is down.
            var persist: Int32 = 1
            sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
            // Foreign keys guard references; synchronous=NORMAL is durable across process
            // crashes in WAL mode, which is what `kill -9` tests.
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            // 32 MiB of page cache per connection (the default is 2 MiB): diffs and scans
            // jump around a table of millions of rows.
            try db.execute(sql: "PRAGMA cache_size = -32768")
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                // The writer keeps savepoint and statement journals in memory: a batch of
                // recorded fetches (see `writeBatch`) otherwise writes each savepoint's page
                // images to a temporary file. Readers keep the default, so that a sort of
                // millions of rows (an as-of listing) spills to disk instead of into memory.
                try db.execute(sql: "PRAGMA temp_store = MEMORY")
            }
        }
        self.path = path
        self.access = access
        if access == .readOnly {
            guard FileManager.default.fileExists(atPath: path) else {
                throw CacheError(.open, "no cache here (the daemon creates it on its first start)", path: path)
            }
        } else {
            try CacheFiles.createPrivately(path)
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw Self.openError(error, path: path)
        }
        if access == .readWrite {
            do {
                try Self.migrator.migrate(pool)
                try Self.backfillChangeLog(pool, onBatch: backfill)
            } catch {
                throw Self.openError(error, path: path, doing: "cannot migrate")
            }
        } else {
            try checkSchema()
        }
    }

    /// SQLite's "file is not a database" said in tradewatch's words, naming the file.
    private static func openError(_ error: any Error, path: String, doing: String = "cannot open") -> CacheError {
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_NOTADB {
            return CacheError(.open, "not a tradewatch cache (the file is not an SQLite database)", path: path)
        }
        if let error = error as? DatabaseError {
            return CacheError(.open, "\(doing): \(error.message ?? "SQLite error") (\(error.resultCode))", path: path)
        }
        return CacheError(.open, "\(doing): \(error)", path: path)
    }

    private func checkSchema() throws {
        let (known, applied) = try pool.read { db in
            (try Self.migrator.hasCompletedMigrations(db), try Self.migrator.hasBeenSuperseded(db))
        }
        if applied {
            throw CacheError(.schema, "written by a newer tradewatch; upgrade this one", path: path)
        }
        if !known {
            throw CacheError(.schema, "not migrated yet (start the daemon once)", path: path)
        }
    }
}
