import Foundation
import GRDB

/// The SQLite backend behind both interfaces: every method named in `CacheReader` and
/// `CacheWriter` is implemented in the `SQLiteCache+…` files.
extension SQLiteCache: CacheReader, CacheWriter {
    public var location: String { path }

    public var daemonState: any DaemonStateStore { SQLiteDaemonState(cache: self) }

    /// Damage is kept beside the database, in `cache.db.damaged`: a damaged file is no place for it.
    public func recordedDamage() -> CacheDamage? { CacheDamage.recorded(for: path) }
    public func recordDamage(_ damage: CacheDamage) throws { try damage.record(for: path) }
    public func clearRecordedDamage() { CacheDamage.clear(for: path) }
}
