public import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The files that live next to the cache, and the modes they are created with. Modes are set
/// explicitly, whatever the caller's umask: the folder 0750, the database (and so SQLite's
/// `-wal` and `-shm`, which take the database's mode) and the lock 0640 — the daemon's
/// user writes, its group reads, nobody else.
public enum CacheFiles {
    public static let directoryMode: mode_t = 0o750
    public static let fileMode: mode_t = 0o640

    /// The daemon's lock: `<cache>.lock`.
    public static func lockPath(for cache: String) -> String { cache + ".lock" }

    /// Where the daemon records a failed integrity check: `<cache>.damaged`.
    public static func damagePath(for cache: String) -> String { cache + ".damaged" }

    /// Creates the folders leading to `path`'s folder (each one 0750) and, when missing, the
    /// database file itself (0640, empty: SQLite makes a database of it), before SQLite
    /// creates it with the umask's mode.
    public static func createPrivately(_ path: String) throws {
        try createDirectories(URL(fileURLWithPath: path).deletingLastPathComponent().path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        if fd < 0 {
            if errno == EEXIST { return }
            throw CacheError(.open, "cannot create: \(String(cString: strerror(errno)))", path: path)
        }
        _ = fchmod(fd, fileMode)
        close(fd)
    }

    /// `mkdir -p` with mode 0750 for each folder it creates; existing folders keep theirs.
    public static func createDirectories(_ directory: String) throws {
        var missing: [String] = []
        var current = directory
        while !current.isEmpty && current != "/" && access(current, F_OK) != 0 {
            missing.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
        for folder in missing.reversed() {
            if mkdir(folder, directoryMode) != 0 && errno != EEXIST {
                throw CacheError(.open, "cannot create the folder: \(String(cString: strerror(errno)))", path: folder)
            }
            _ = chmod(folder, directoryMode)
        }
    }
}
