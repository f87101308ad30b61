public import Foundation
public import GRDB

/// The versioned cache: one SQLite file shared by the daemon (the only writer) and any
/// number of CLI readers, through WAL and a busy timeout.
///
/// Every method is named after what it does for tradewatch (`recordSync`, `diff`,
/// `history`, `verify`); SQL stays inside this module.
public struct CacheDatabase: Sendable {
    public enum Access: Sendable {
        /// Creates the file when missing and runs pending migrations. For the daemon.
        case readWrite
        /// Never writes. For the CLI while the daemon runs.
        case readOnly
    }

    /// The pool every query goes through.
    public let pool: DatabasePool
    public let path: String
    public let access: Access

    /// Opens (and for `.readWrite`, creates and migrates) the cache at `path`.
    public init(path: String, access: Access = .readWrite, busyTimeout: TimeInterval = 10) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.readonly = access == .readOnly
        configuration.label = "tradewatch-cache"
        configuration.prepareDatabase { db in
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
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw CacheError(.open, "cannot open: \(error)", path: path)
        }
        if access == .readWrite {
            do {
                try Self.migrator.migrate(pool)
            } catch {
                throw CacheError(.open, "cannot migrate: \(error)", path: path)
            }
        } else {
            try checkSchema()
        }
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
