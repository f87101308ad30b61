import Foundation
import GRDB

extension SQLiteCache {
    /// What lies at a path the configuration names as the cache.
    public enum FileIdentity: Sendable, Equatable {
        /// Nothing yet: the daemon creates the cache there.
        case absent
        /// A tradewatch cache, or an empty file (a first start stopped before its first write).
        case cache
        /// Something that cannot be told apart without reading it, and it cannot be read.
        case unreadable
        /// Not a tradewatch cache: opening it as one would write tables into someone else's file.
        case other(String)
    }

    /// Looks at `path` without writing anything: a tradewatch cache is an SQLite database
    /// holding the cache's own tables.
    public static func identify(path: String) -> FileIdentity {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return .absent }
        if isDirectory.boolValue { return .other("is a directory") }
        guard let handle = FileHandle(forReadingAtPath: path) else { return .unreadable }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 16)) ?? Data()
        if head.isEmpty { return .cache }
        guard head == Data("SQLite format 3\0".utf8) else {
            return .other("is not a tradewatch cache (the file is not an SQLite database)")
        }
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            let tables = try queue.read { db in
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM sqlite_master WHERE type = 'table'
                        AND name IN ('source', 'source_state', 'fetch', 'revision', 'payload')
                        """) ?? 0
            }
            return tables == 5 ? .cache : .other("is an SQLite database but not a tradewatch cache")
        } catch {
            return .unreadable
        }
    }
}
