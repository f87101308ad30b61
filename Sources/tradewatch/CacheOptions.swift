import ArgumentParser
import Foundation
import TradeWatchCache
import TradeWatchSync

/// Options every command that reads the cache shares.
struct CacheOptions: ParsableArguments {
    @Option(
        name: .customLong("db"),
        help: ArgumentHelp(
            "The cache database (default: $TRADEWATCH_DB, the system service's cache, or the XDG state directory).",
            valueName: "path"))
    var path: String?

    var resolvedPath: String {
        path
            ?? CachePath.resolve(
                environment: ProcessInfo.processInfo.environment,
                fileExists: { FileManager.default.fileExists(atPath: $0) })
    }

    /// Opens the cache to read: the CLI never writes (a `CacheReader` has no way to), and
    /// the SQLite file is opened read-only besides, so that it works while the daemon runs.
    func open() throws -> any CacheReader {
        try SQLiteCache(path: resolvedPath, access: .readOnly)
    }
}
