import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A configuration for `tradewatchd` with one feed per `(name, path)` on `publisher`, the
/// cache at `cache` and the control socket next to it; `extra` lines go into `[daemon]`.
func daemonConfig(
    in directory: TemporaryDirectory, publisher: Publisher, sources: [(name: String, path: String)],
    cache: String? = nil, extra: String = ""
) throws -> String {
    var text = """
        [daemon]
        cache = "\(cache ?? directory.file("cache.db"))"
        control_socket = "\(directory.file("control.sock"))"
        interval = "1h"
        jitter = "0s"
        startup_spread = "0s"
        \(extra)

        """
    for source in sources {
        text += """

            [[source]]
            name = "\(source.name)"
            kind = "feed"
            url = "\(publisher.url(source.path))"

            """
    }
    let path = directory.file("tradewatch.toml")
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// A process of a built executable left running in the background, killed if a test leaves it.
final class BackgroundProcess {
    let process = Process()

    init(_ executable: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: builtProduct(executable))
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "NOTIFY_SOCKET")
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    var pid: Int32 { process.processIdentifier }
}

/// The `Threads:` line of /proc/PID/status.
func threadCount(_ pid: Int32) -> Int {
    let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    let line = text.split(separator: "\n").first { $0.hasPrefix("Threads:") }
    return line.flatMap { Int($0.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces)) } ?? -1
}

/// How many descriptors PID has open (/proc/PID/fd).
func openDescriptors(_ pid: Int32) -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
}

/// A client connection to a control socket, closed when the value goes.
final class ControlConnection {
    let fd: Int32

    init?(path: String) {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard fd >= 0, connected == 0 else {
            close(fd)
            return nil
        }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Sends `bytes`; false when the daemon has closed the connection.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard count > 0 else { return false }
            offset += count
        }
        return true
    }

    /// Everything the daemon sends until it closes the connection (or 20 s pass).
    func readToEnd() -> String {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            data += buffer[..<count]
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Runs a built executable for at most `seconds`: its result, or nil (and it is killed) when it
/// was still running then — so that a test of a process that should exit fails instead of
/// hanging when it does not.
func runBounded(
    _ executable: String, _ arguments: [String], seconds: Double, in directory: TemporaryDirectory
) throws -> (status: Int32, stdout: String, stderr: String)? {
    let name = UUID().uuidString
    let (out, err) = (directory.file(name + ".out"), directory.file(name + ".err"))
    _ = FileManager.default.createFile(atPath: out, contents: nil)
    _ = FileManager.default.createFile(atPath: err, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: builtProduct(executable))
    process.arguments = arguments
    process.standardOutput = FileHandle(forWritingAtPath: out)
    process.standardError = FileHandle(forWritingAtPath: err)
    try process.run()
    let deadline = Date().addingTimeInterval(seconds)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return nil
    }
    return (
        status: process.terminationStatus,
        stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
    )
}
