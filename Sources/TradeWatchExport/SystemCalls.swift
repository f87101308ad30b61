import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few system calls an export's placement needs, each failing with its `errno`: the
/// messages a user sees name the path and the system's reason, never a Foundation dump.
enum SystemCalls {
    /// A system call that failed, with the path it concerned.
    struct Failure: Error, Equatable {
        var call: String
        var path: String
        var code: Int32

        /// The system's text for the error, e.g. "Permission denied".
        var reason: String { String(cString: strerror(code)) }
    }

    enum FileType: Equatable {
        case absent
        case regular
        case directory
        case symbolicLink
        case other
    }

    /// What `path` itself is (a link is not followed).
    static func type(of path: String) throws(Failure) -> FileType {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT { return .absent }
            throw Failure(call: "lstat", path: path, code: code)
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        case S_IFLNK: return .symbolicLink
        default: return .other
        }
    }

    /// Size in bytes of the regular file at `path`.
    static func size(of path: String) throws(Failure) -> Int64 {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw Failure(call: "lstat", path: path, code: errno) }
        return Int64(info.st_size)
    }

    /// The names in a folder, without `.` and `..`, sorted.
    static func names(in directory: String) throws(Failure) -> [String] {
        guard let stream = opendir(directory) else { throw Failure(call: "opendir", path: directory, code: errno) }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    String(cString: $0)
                }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// What a symbolic link holds, as written.
    static func linkDestination(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The absolute path with every link resolved, or the failure (ENOENT for a dangling link).
    static func realPath(_ path: String) throws(Failure) -> String {
        guard let resolved = realpath(path, nil) else { throw Failure(call: "realpath", path: path, code: errno) }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func currentDirectory() throws(Failure) -> String {
        guard let cwd = getcwd(nil, 0) else { throw Failure(call: "getcwd", path: ".", code: errno) }
        defer { free(cwd) }
        return String(cString: cwd)
    }

    /// Creates a folder; false when something already has that name.
    static func makeDirectory(_ path: String) throws(Failure) -> Bool {
        guard mkdir(path, 0o777) == 0 else {
            let code = errno
            if code == EEXIST { return false }
            throw Failure(call: "mkdir", path: path, code: code)
        }
        return true
    }

    /// `mkdir -p`: creates `path` and any missing folder above it.
    static func makeDirectories(_ path: String) throws(Failure) {
        switch try type(of: path) {
        case .directory: return
        case .absent:
            let parent = Self.parent(of: path)
            if parent != path { try makeDirectories(parent) }
            if try !makeDirectory(path), try type(of: path) != .directory {
                throw Failure(call: "mkdir", path: path, code: EEXIST)
            }
        case .symbolicLink:
            // A link to a folder is a folder on the way; anything else is not.
            guard (try? realPath(path)).map({ (try? type(of: $0)) == .directory }) == true else {
                throw Failure(call: "mkdir", path: path, code: ENOTDIR)
            }
        case .regular, .other:
            throw Failure(call: "mkdir", path: path, code: ENOTDIR)
        }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Creates `path` (which must not exist) and writes `bytes` to it, then flushes it to disk.
    static func writeNewFile(_ path: String, _ bytes: [UInt8]) throws(Failure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw Failure(call: "open", path: path, code: errno) }
        do throws(Failure) {
            try writeAll(fd, bytes, path: path)
            guard fsync(fd) == 0 else { throw Failure(call: "fsync", path: path, code: errno) }
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw Failure(call: "close", path: path, code: errno) }
    }

    /// Writes all of `bytes` to `fd`, retrying short writes.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(Failure) {
        var result: Failure?
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let count = write(fd, raw.baseAddress?.advanced(by: offset), raw.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    result = Failure(call: "write", path: path, code: errno)
                    return
                }
                offset += count
            }
        }
        if let result { throw result }
    }

    /// `close(2)`, for types whose own `close` method hides the C function.
    static func closeDescriptor(_ fd: Int32) -> Int32 { close(fd) }

    /// Flushes a file or folder to disk.
    static func sync(_ path: String) throws(Failure) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(call: "open", path: path, code: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw Failure(call: "fsync", path: path, code: errno) }
    }

    /// `sync` of every path, several at a time: a file system commits the flushes that wait
    /// together at once, so an export of a thousand dataset tables does not wait for a
    /// thousand commits one after the other. Throws the failure of the first path (in the
    /// given order) that failed.
    static func syncAll(_ paths: [String], threads: Int = 8) throws(Failure) {
        guard paths.count > 4 else {
            for path in paths { try sync(path) }
            return
        }
        let workers = min(threads, paths.count)
        let failures = Mutex([Int: Failure]())
        let group = DispatchGroup()
        for worker in 0..<workers {
            group.enter()
            Thread {
                for index in stride(from: worker, to: paths.count, by: workers) {
                    do throws(Failure) {
                        try sync(paths[index])
                    } catch {
                        failures.withLock { $0[index] = error }
                    }
                }
                group.leave()
            }.start()
        }
        group.wait()
        if let first = failures.withLock({ $0.min { $0.key < $1.key }?.value }) { throw first }
    }

    /// Removes a file; a file already gone is not a failure.
    static func removeFile(_ path: String) throws(Failure) {
        guard unlink(path) == 0 || errno == ENOENT else { throw Failure(call: "unlink", path: path, code: errno) }
    }

    /// Removes an empty folder (never a recursive delete).
    static func removeEmptyDirectory(_ path: String) throws(Failure) {
        guard rmdir(path) == 0 else { throw Failure(call: "rmdir", path: path, code: errno) }
    }

    /// `rename(2)`: for a folder, replaces only an empty folder at `to`.
    static func move(_ from: String, _ to: String) throws(Failure) {
        guard rename(from, to) == 0 else { throw Failure(call: "rename", path: to, code: errno) }
    }

    enum RenameFlag: UInt32 {
        /// Fail with EEXIST rather than replace what is at the destination.
        case noReplace = 1
        /// Swap the two paths atomically; both must exist.
        case exchange = 2
    }

    /// Linux's `renameat2(2)`, or nil when the C library lacks it (then EINVAL from the call
    /// itself means the file system does not support the flag). Looked up at run time: the
    /// Swift Glibc module does not declare it.
    static func move(_ from: String, _ to: String, _ flag: RenameFlag) throws(Failure) -> Bool {
        guard let renameat2 = renameat2Function else { return false }
        guard renameat2(AT_FDCWD, from, AT_FDCWD, to, flag.rawValue) == 0 else {
            let code = errno
            if code == EINVAL || code == ENOSYS { return false }
            throw Failure(call: "renameat2", path: to, code: code)
        }
        return true
    }

    typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32

    static let renameat2Function: RenameAt2? = {
        #if os(Linux)
        guard let symbol = dlsym(nil, "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: RenameAt2.self)
        #else
        return nil
        #endif
    }()
}
