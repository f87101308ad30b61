import Foundation
import TradeWatchCache

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One writer per cache: an exclusive `flock` on `<cache>.lock`, taken by the daemon and by
/// `--once` before the cache is opened and held for the life of the process (the kernel
/// releases it when the process ends, however it ends). The holder's pid is written into the
/// file so that a second daemon can say who holds it. The CLI's readers never take it.
struct CacheLock {
    enum Failure: Error, CustomStringConvertible {
        /// Another process holds the lock; its pid when it wrote one.
        case held(path: String, pid: Int32?)
        case io(path: String, message: String)

        var description: String {
            switch self {
            case .held(let path, let pid):
                "another tradewatchd\(pid.map { " (pid \($0))" } ?? "") holds this cache (\(path))"
            case .io(let path, let message): "\(path): cannot take the cache's lock: \(message)"
            }
        }
    }

    /// Never closed: the lock lasts as long as the process.
    private let fd: Int32

    /// Takes the lock next to `cache`, without waiting.
    init(cache: String) throws(Failure) {
        let path = CacheFiles.lockPath(for: cache)
        // O_CLOEXEC: a child process must not inherit (and so keep holding) the lock.
        // O_NOFOLLOW: a link planted at the lock's name is refused, never written through.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, CacheFiles.fileMode)
        guard fd >= 0 else { throw .io(path: path, message: String(cString: strerror(errno))) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            let holder = Self.readPID(fd)
            close(fd)
            if code == EWOULDBLOCK { throw .held(path: path, pid: holder) }
            throw .io(path: path, message: String(cString: strerror(code)))
        }
        _ = fchmod(fd, CacheFiles.fileMode)
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        self.fd = fd
    }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
