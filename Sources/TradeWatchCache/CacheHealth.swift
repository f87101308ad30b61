public import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What a failed `PRAGMA quick_check` found, as the daemon records it next to the cache
/// (`<cache>.damaged`) for `tradewatch status`, which runs in another process.
public struct CacheDamage: Sendable, Codable, Equatable {
    public var detectedAt: Date
    /// SQLite's first few complaints, verbatim.
    public var problems: [String]

    public init(detectedAt: Date, problems: [String]) {
        self.detectedAt = detectedAt
        self.problems = problems
    }

    /// How to get a sound cache back, for the log and `status`.
    public static let recovery =
        "stop the daemon; run `tradewatch verify` to see the damage; restore the cache from a backup, "
        + "or salvage it with `sqlite3 cache.db .recover | sqlite3 recovered.db` and put that in its place; "
        + "then start the daemon (it checks again on start)"

    /// The record next to `cache`, nil when there is none (or it cannot be read).
    public static func recorded(for cache: String) -> CacheDamage? {
        guard let data = FileManager.default.contents(atPath: CacheFiles.damagePath(for: cache)) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(CacheDamage.self, from: data)
    }

    /// Writes the record next to `cache` (mode 0640).
    public func record(for cache: String) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let path = CacheFiles.damagePath(for: cache)
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
        _ = chmod(path, CacheFiles.fileMode)
    }

    /// Removes the record next to `cache`, once a check has passed.
    public static func clear(for cache: String) {
        try? FileManager.default.removeItem(atPath: CacheFiles.damagePath(for: cache))
    }
}

/// The daemon's in-memory word on the cache's soundness, shared by every copy of one
/// `SQLiteCache`: once damage is found, writes refuse instead of spreading it.
public final class CacheHealth: Sendable {
    private let state = Mutex<CacheDamage?>(nil)

    public init() {}

    public var damage: CacheDamage? { state.withLock { $0 } }

    public func markDamaged(_ damage: CacheDamage) { state.withLock { $0 = damage } }

    /// Throws `CacheError.damaged` when damage was found.
    public func ensureSound(path: String) throws {
        if let damage {
            throw CacheError(
                .damaged, "damaged (\(damage.problems.first ?? "quick_check failed")); not writing", path: path)
        }
    }
}
