public import TradeWatchSync

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// systemd's notification protocol (`sd_notify`): datagrams of `KEY=value` lines sent to the
/// socket named by `$NOTIFY_SOCKET`. Without that variable every call does nothing, so the
/// daemon runs the same under systemd, in a terminal and in tests.
public struct SystemdNotifier: ServiceManagerNotifier {
    /// The socket path; a leading `@` names an abstract socket.
    public let socketPath: String?
    /// How often systemd expects `WATCHDOG=1`, from `$WATCHDOG_USEC` (when meant for us).
    public let watchdogInterval: Duration?

    public init(environment: [String: String], pid: Int32? = nil) {
        let path = environment["NOTIFY_SOCKET"]
        socketPath = (path?.isEmpty ?? true) ? nil : path
        if let text = environment["WATCHDOG_USEC"], let usec = Int64(text), usec > 0,
            environment["WATCHDOG_PID"].map({ Int32($0) == (pid ?? getpid()) }) ?? true
        {
            watchdogInterval = .microseconds(usec)
        } else {
            watchdogInterval = nil
        }
    }

    public func ready(status: String) { send("READY=1\nSTATUS=\(status)") }
    public func status(_ status: String) { send("STATUS=\(status)") }
    public func watchdog() { send("WATCHDOG=1") }
    public func reloading() { send("RELOADING=1") }
    public func stopping() { send("STOPPING=1\nSTATUS=stopping") }

    /// Sends one datagram; errors are ignored, as sd_notify's callers do (systemd may be gone).
    public func send(_ message: String) {
        guard let socketPath else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        guard let address = UnixSocketAddress(path: socketPath) else { return }
        let bytes = Array(message.utf8)
        _ = address.withSockaddr { socketAddress, length in
            bytes.withUnsafeBytes { buffer in
                sendto(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), socketAddress, length)
            }
        }
    }
}
