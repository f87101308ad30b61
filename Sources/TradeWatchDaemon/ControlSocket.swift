import Foundation
import TradeWatchCache
public import TradeWatchSync

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What a control request asks the daemon to do (the `command` field; these raw values are
/// the wire format).
public enum ControlCommand: String, Sendable, Codable, CaseIterable {
    /// Make the named sources (all when none) due now; with `wait`, answer with their outcomes.
    case sync
    /// Answer with the daemon's status line as it is now.
    case status
}

/// What `tradewatch sync` and `status` send over the control socket: one JSON object on one
/// line, `{"command":"sync","sources":[],"wait":false}`.
public struct ControlRequest: Codable, Sendable {
    public var command: ControlCommand
    public var sources: [String]
    public var wait: Bool

    public init(command: ControlCommand = .sync, sources: [String] = [], wait: Bool = false) {
        self.command = command
        self.sources = sources
        self.wait = wait
    }

    /// A request whose `command` this daemon does not know: answered `unknown-command`, not
    /// "not a control request", so that a client newer than the daemon learns why.
    public struct UnknownCommand: Error, Sendable, CustomStringConvertible {
        public var name: String

        public var description: String {
            let known = ControlCommand.allCases.map(\.rawValue).joined(separator: ", ")
            return "unknown command \"\(name.prefix(64))\" (this daemon knows: \(known))"
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .command)
        guard let command = ControlCommand(rawValue: name) else { throw UnknownCommand(name: name) }
        self.command = command
        sources = try container.decode([String].self, forKey: .sources)
        wait = try container.decode(Bool.self, forKey: .wait)
    }
}

/// The daemon's one-line JSON answer.
public struct ControlReply: Codable, Sendable {
    public var ok: Bool
    public var error: String?
    /// Why the daemon did not take the request, when it is worth telling apart.
    public var code: Code?
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
        /// A `SyncErrorCode`'s raw value, kept as text: a `tradewatch` older than the daemon
        /// still reads a reply whose code it does not know (codes are only ever added).
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
            errorCode = outcome.errorCode?.rawValue
            errorMessage = outcome.errorMessage
            summary = outcome.summaryLine
        }
    }

    private enum CodingKeys: String, CodingKey {
        case ok, error, code, queued, results, status
    }

    /// A refusal code this client does not know reads as no code (the reply's `error` still
    /// says why), rather than as an unreadable reply.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ok = try container.decode(Bool.self, forKey: .ok)
        error = try container.decodeIfPresent(String.self, forKey: .error)
        if let text = try? container.decodeIfPresent(String.self, forKey: .code) {
            code = Code(rawValue: text)
        } else {
            code = nil
        }
        queued = try container.decodeIfPresent([String].self, forKey: .queued)
        results = try container.decodeIfPresent([Result].self, forKey: .results)
        status = try container.decodeIfPresent(String.self, forKey: .status)
    }

    public init(
        ok: Bool, error: String? = nil, code: Code? = nil, queued: [String]? = nil, results: [Result]? = nil,
        status: String? = nil
    ) {
        self.ok = ok
        self.error = error
        self.code = code
        self.queued = queued
        self.results = results
        self.status = status
    }
}

extension ControlReply {
    /// Why a request was refused, for a client to act on (the raw values are the wire format).
    public enum Code: String, Sendable, Codable, CaseIterable {
        /// Every connection slot is taken; try again shortly.
        case busy
        /// The request names a command this daemon does not know (see ``ControlCommand``).
        case unknownCommand = "unknown-command"
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

/// Socket helpers shared by the daemon's server and the client.
enum SocketIO {
    /// One line (without its newline), nil when the peer closed first or sent more than `limit`.
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
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let written = send(fd, base + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
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

/// The client side, for `tradewatch sync`.
public enum ControlClient {
    public static func send(
        _ request: ControlRequest, to path: String, timeout: Duration?
    ) throws(ControlSocketError)
        -> ControlReply
    {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketIO.error("cannot create a socket") }
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
        SocketIO.writeAll(fd, data)
        guard let line = SocketIO.readLine(fd) else {
            throw ControlSocketError(code: .io, message: "the daemon closed the connection without an answer")
        }
        guard let reply = try? JSONDecoder().decode(ControlReply.self, from: line) else {
            throw ControlSocketError(code: .protocolError, message: "the daemon's answer is not a control reply")
        }
        return reply
    }
}
