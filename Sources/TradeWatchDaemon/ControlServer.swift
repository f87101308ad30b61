import Foundation
public import Logging
import TradeWatchCache
public import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What one connection to the control socket may cost the daemon.
public struct ControlLimits: Sendable {
    /// Connections served at once; the next one gets a one-line refusal and is closed.
    public var connections = 16
    /// The longest request line, newline excluded.
    public var requestBytes = 64 * 1024
    /// The most source names one request may carry.
    public var sources = 1000
    /// From accept to the request's newline: a whole-request deadline, not a per-read timeout,
    /// so a client trickling a byte at a time is cut off all the same.
    public var requestDeadline: Duration = .seconds(10)
    /// From the answer being ready to its last byte sent.
    public var replyDeadline: Duration = .seconds(10)

    public init() {}
}

/// The control socket's listening file: bound (mode 0660, replacing a stale socket file)
/// when made, so the daemon knows before it starts whether `tradewatch sync` can reach it.
public final class ControlListener: Sendable {
    public let path: String
    let fd: Int32

    public init(path: String) throws(ControlSocketError) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? CacheFiles.createDirectories(directory) }
        var status = stat()
        if lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFSOCK { unlink(path) }
        let fd = socket(
            AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw SocketIO.error("cannot create the control socket") }
        guard let address = UnixSocketAddress(path: path) else {
            close(fd)
            throw ControlSocketError(code: .io, message: "the control socket path \(path) is too long")
        }
        let bound = address.withSockaddr { bind(fd, $0, $1) }
        guard bound == 0, chmod(path, 0o660) == 0, listen(fd, 64) == 0 else {
            let failure = SocketIO.error("cannot listen on the control socket \(path)")
            close(fd)
            throw failure
        }
        self.fd = fd
    }
}

/// Serves `tradewatch sync` and `status` on the control socket, as a service of the daemon's
/// group: it stops accepting, closes every connection and removes the socket file on
/// graceful shutdown.
///
/// One thread runs an event loop over `poll()` (see `ControlEventLoop`) rather than a thread
/// per connection or a pool: a slow or idle client then costs a slot and a descriptor, never
/// a thread, and deadlines are checked in one place. Requests are answered by `handler` on
/// Swift's task pool, so a long `sync --wait` does not hold the loop.
public struct ControlServer: Service {
    private let listener: ControlListener
    private let limits: ControlLimits
    private let logger: Logger
    private let handler: @Sendable (ControlRequest) async -> ControlReply

    public init(
        listener: ControlListener, limits: ControlLimits = ControlLimits(), logger: Logger,
        handler: @escaping @Sendable (ControlRequest) async -> ControlReply
    ) {
        self.listener = listener
        self.limits = limits
        self.logger = logger
        self.handler = handler
    }

    public func run() async throws {
        let loop: ControlEventLoop
        do {
            loop = try ControlEventLoop(listener: listener.fd, limits: limits, logger: logger, handler: handler)
        } catch {
            // The loop closes the listener when it stops; one that never ran leaves it to us.
            close(listener.fd)
            unlink(listener.path)
            throw error
        }
        let thread = Thread { loop.run() }
        thread.name = "tradewatch-control"
        thread.start()
        // Returns on graceful shutdown; throws when the group cancels us. Either way, stop.
        try? await gracefulShutdown()
        loop.stop()
        await loop.waitUntilStopped()
        unlink(listener.path)
    }
}
