import Foundation
import TradeWatchCache

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What `tradewatch sync` sends over the control socket: one JSON object on one line.
public struct ControlRequest: Codable, Sendable {
    public var command: String
    public var sources: [String]
    public var wait: Bool

    public init(command: String = "sync", sources: [String] = [], wait: Bool = false) {
        self.command = command
        self.sources = sources
        self.wait = wait
    }
}

/// The daemon's one-line JSON answer.
public struct ControlReply: Codable, Sendable {
    public var ok: Bool
    public var error: String?
    /// The sources made due.
    public var queued: [String]?
    /// With `wait`: one result per source, once each has synced.
    public var results: [Result]?
    /// For `status`: the daemon's status line as it is now.
    public var status: String?

    public struct Result: Codable, Sendable {
        public var source: String
        public var outcome: String
        public var revision: Int64?
        public var added: Int?
        public var changed: Int?
        public var removed: Int?
        public var errorCode: String?
        public var errorMessage: String?
        public var summary: String

        public init(_ outcome: SyncOutcome) {
            source = outcome.source
            self.outcome = outcome.outcome.rawValue
            revision = outcome.revision?.id
            added = outcome.revision?.added
            changed = outcome.revision?.changed
            removed = outcome.revision?.removed
            errorCode = outcome.errorCode
            errorMessage = outcome.errorMessage
            summary = outcome.summaryLine
        }
    }

    public init(
        ok: Bool, error: String? = nil, queued: [String]? = nil, results: [Result]? = nil, status: String? = nil
    ) {
        self.ok = ok
        self.error = error
        self.queued = queued
        self.results = results
        self.status = status
    }
}

/// Why the control socket could not be used.
public struct ControlSocketError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// Nothing listens there: no daemon runs (or it runs without a socket).
        case noDaemon = "no-daemon"
        case io
        case protocolError = "protocol"
    }

    public var code: Code
    public var message: String
    public var description: String { message }
}

/// The listening side, owned by the daemon. Connections are few (an analyst's `tradewatch
/// sync`), so each one gets a short-lived thread; the accept loop polls the socket and a
/// pipe that `stop()` writes to.
public final class ControlServer: @unchecked Sendable {  // fds belong to the accept thread; stop() only writes the pipe
    public let path: String
    private let listener: Int32
    private let wakePipe: (read: Int32, write: Int32)
    private let handler: @Sendable (ControlRequest) async -> ControlReply

    /// Binds `path` (replacing a stale socket file) with mode 0660 and starts accepting.
    public init(path: String, handler: @escaping @Sendable (ControlRequest) async -> ControlReply) throws {
        self.path = path
        self.handler = handler
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var status = stat()
        if lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFSOCK { unlink(path) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Self.error("cannot create the control socket") }
        guard let address = UnixSocketAddress(path: path) else {
            close(fd)
            throw ControlSocketError(code: .io, message: "the control socket path \(path) is too long")
        }
        let bound = address.withSockaddr { bind(fd, $0, $1) }
        guard bound == 0, chmod(path, 0o660) == 0, listen(fd, 64) == 0 else {
            let failure = Self.error("cannot listen on the control socket \(path)")
            close(fd)
            throw failure
        }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            close(fd)
            throw Self.error("cannot create a pipe")
        }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        listener = fd
        wakePipe = (fds[0], fds[1])
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "tradewatch-control"
        thread.start()
    }

    /// Stops accepting and removes the socket file.
    public func stop() {
        var byte: UInt8 = 1
        _ = write(wakePipe.write, &byte, 1)
        unlink(path)
    }

    private func acceptLoop() {
        var fds = [
            pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakePipe.read, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let ready = poll(&fds, 2, -1)
            if ready < 0 && errno == EINTR { continue }
            if ready < 0 || fds[1].revents != 0 { break }
            guard fds[0].revents & Int16(POLLIN) != 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            let thread = Thread { [self] in serve(client) }
            thread.name = "tradewatch-control-client"
            thread.start()
        }
        close(listener)
        close(wakePipe.read)
        close(wakePipe.write)
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let line = Self.readLine(client) else { return }
        let reply: ControlReply
        if let request = try? JSONDecoder().decode(ControlRequest.self, from: line) {
            let box = ReplyBox()
            let semaphore = DispatchSemaphore(value: 0)
            let handler = self.handler
            Task {
                box.reply = await handler(request)
                semaphore.signal()
            }
            semaphore.wait()
            reply = box.reply ?? ControlReply(ok: false, error: "no answer")
        } else {
            reply = ControlReply(ok: false, error: "the request is not a JSON control request")
        }
        guard var data = try? JSONEncoder().encode(reply) else { return }
        data.append(UInt8(ascii: "\n"))
        Self.writeAll(client, data)
    }

    static func readLine(_ fd: Int32, limit: Int = 1 << 20) -> Data? {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while data.count < limit {
            let count = read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return data.isEmpty ? nil : data }
            if let newline = buffer[..<count].firstIndex(of: UInt8(ascii: "\n")) {
                data.append(contentsOf: buffer[..<newline])
                return data
            }
            data.append(contentsOf: buffer[..<count])
        }
        return nil
    }

    static func writeAll(_ fd: Int32, _ data: Data) {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }

    static func error(_ what: String) -> ControlSocketError {
        ControlSocketError(code: .io, message: "\(what): \(String(cString: strerror(errno)))")
    }
}

/// Carries the handler's reply from its task to the waiting connection thread.
private final class ReplyBox: @unchecked Sendable {  // written once before the semaphore is signalled, read after
    var reply: ControlReply?
}

/// The client side, for `tradewatch sync`.
public enum ControlClient {
    public static func send(
        _ request: ControlRequest, to path: String, timeout: Duration?
    ) throws(ControlSocketError)
        -> ControlReply
    {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ControlServer.error("cannot create a socket") }
        defer { close(fd) }
        guard let address = UnixSocketAddress(path: path) else {
            throw ControlSocketError(code: .io, message: "the control socket path \(path) is too long")
        }
        let connected = address.withSockaddr { connect(fd, $0, $1) }
        guard connected == 0 else {
            let code = errno
            if code == ENOENT || code == ECONNREFUSED {
                throw ControlSocketError(code: .noDaemon, message: "no daemon is listening at \(path)")
            }
            throw ControlSocketError(
                code: .io, message: "cannot connect to \(path): \(String(cString: strerror(code)))")
        }
        if let timeout {
            var value = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        }
        guard var data = try? JSONEncoder().encode(request) else {
            throw ControlSocketError(code: .protocolError, message: "cannot encode the request")
        }
        data.append(UInt8(ascii: "\n"))
        ControlServer.writeAll(fd, data)
        guard let line = ControlServer.readLine(fd) else {
            throw ControlSocketError(code: .io, message: "the daemon closed the connection without an answer")
        }
        guard let reply = try? JSONDecoder().decode(ControlReply.self, from: line) else {
            throw ControlSocketError(code: .protocolError, message: "the daemon's answer is not a control reply")
        }
        return reply
    }
}
