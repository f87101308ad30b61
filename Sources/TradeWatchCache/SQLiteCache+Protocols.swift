import Foundation
import GRDB

/// The SQLite backend behind both interfaces: every method named in `CacheReader` and
/// `CacheWriter` is implemented in the `SQLiteCache+…` files.
extension SQLiteCache: CacheReader, CacheWriter {
    public var location: String { path }

    public var daemonState: any DaemonStateStore { SQLiteDaemonState(cache: self) }
}
