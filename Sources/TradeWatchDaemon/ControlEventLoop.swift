import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The control socket's event loop: one thread, `poll()` over the listener, a wake pipe and
/// at most `limits.connections` clients, each with a deadline. Every accepted socket is
/// closed on every path: refused, answered, too large, too slow, hung up, or at stop.
final class ControlEventLoop: @unchecked Sendable {  // clients touched only by the loop's thread; `shared` is locked
    private enum Phase {
        /// Collecting the request line until `deadline`.
        case reading
        /// The handler is working on it; no deadline (a `sync --wait` may take minutes).
        case answering
        /// Sending `output` until `deadline`, then closing.
        case writing
    }

    private struct Connection {
        var fd: Int32
        var phase: Phase
        var input: [UInt8] = []
        var output: [UInt8] = []
        var sent = 0
        var deadline: ContinuousClock.Instant?
    }

    /// What answering tasks hand back to the loop, and whether it still runs.
    private struct Shared {
        var answers: [(id: Int, bytes: [UInt8])] = []
        var stopping = false
        /// Closed (and set to -1) by the loop as it ends, under the lock: a late answer must
        /// not write into a descriptor number reused since.
        var wakeWrite: Int32
    }

    private let listener: Int32
    private let limits: ControlLimits
    private let logger: Logger
    private let handler: @Sendable (ControlRequest) async -> ControlReply
    private let wakeRead: Int32
    private let shared: Mutex<Shared>
    private let stopped = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    private var connections: [Int: Connection] = [:]
    private var nextID = 0
    private var refused = 0

    init(
        listener: Int32, limits: ControlLimits, logger: Logger,
        handler: @escaping @Sendable (ControlRequest) async -> ControlReply
    ) throws(ControlSocketError) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw SocketIO.error("cannot create a pipe") }
        for fd in fds { Self.setNonBlockingCloseOnExec(fd) }
        self.listener = listener
        self.limits = limits
        self.logger = logger
        self.handler = handler
        wakeRead = fds[0]
        shared = Mutex(Shared(wakeWrite: fds[1]))
    }

    // MARK: Other threads

    func stop() {
        shared.withLock { $0.stopping = true }
        wake()
    }

    func waitUntilStopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = stopped.withLock { state in
                if !state.done { state.waiters.append(continuation) }
                return state.done
            }
            if done { continuation.resume() }
        }
    }

    private func deliver(_ id: Int, _ reply: ControlReply) {
        var bytes = Array((try? JSONEncoder().encode(reply)) ?? Data(#"{"ok":false,"error":"unencodable"}"#.utf8))
        bytes.append(UInt8(ascii: "\n"))
        shared.withLock { $0.answers.append((id, bytes)) }
        wake()
    }

    private func wake() {
        shared.withLock { state in
            guard state.wakeWrite >= 0 else { return }
            var byte: UInt8 = 1
            _ = write(state.wakeWrite, &byte, 1)
        }
    }

    // MARK: The loop's thread

    func run() {
        while true {
            var order: [Int] = []
            var fds = [
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
                pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
            ]
            for (id, connection) in connections {
                let events: Int32 =
                    switch connection.phase {
                    case .reading: Int32(POLLIN)
                    case .answering: 0  // POLLHUP and POLLERR still come: a client that left
                    case .writing: Int32(POLLOUT)
                    }
                order.append(id)
                fds.append(pollfd(fd: connection.fd, events: Int16(events), revents: 0))
            }
            let ready = poll(&fds, nfds_t(fds.count), timeoutMilliseconds())
            if ready < 0 && errno != EINTR { break }
            if fds[0].revents != 0 { drainWakePipe() }
            let (answers, stopping) = shared.withLock { state in
                defer { state.answers = [] }
                return (state.answers, state.stopping)
            }
            if stopping { break }
            for answer in answers { startWriting(answer.id, answer.bytes) }
            for (index, id) in order.enumerated() where fds[index + 2].revents != 0 {
                serve(id, events: Int32(fds[index + 2].revents))
            }
            if fds[1].revents & Int16(POLLIN) != 0 { acceptAll() }
            expireDeadlines()
        }
        for connection in connections.values { close(connection.fd) }
        connections = [:]
        close(listener)
        close(wakeRead)
        shared.withLock { state in
            close(state.wakeWrite)
            state.wakeWrite = -1
        }
        let waiters = stopped.withLock { state in
            state.done = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private func timeoutMilliseconds() -> Int32 {
        let deadlines = connections.values.compactMap(\.deadline)
        guard let first = deadlines.min() else { return -1 }
        let left = first - ContinuousClock.now
        let milliseconds = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1
        return Int32(clamping: max(0, milliseconds))
    }

    private static func setNonBlockingCloseOnExec(_ fd: Int32) {
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    private func drainWakePipe() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }

    private func acceptAll() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return  // EAGAIN: all taken; EMFILE and the like: try again on the next round
            }
            Self.setNonBlockingCloseOnExec(fd)
            guard connections.count < limits.connections else {
                refuse(fd)
                continue
            }
            connections[nextID] = Connection(
                fd: fd, phase: .reading, deadline: ContinuousClock.now + limits.requestDeadline)
            nextID += 1
        }
    }

    /// The one-line answer to a connection past the limit, sent without waiting, then closed.
    private func refuse(_ fd: Int32) {
        let reply = ControlReply(
            ok: false,
            error: "the daemon is busy: \(limits.connections) control connections are open; try again shortly",
            code: .busy)
        if var data = try? JSONEncoder().encode(reply) {
            data.append(UInt8(ascii: "\n"))
            data.withUnsafeBytes { _ = send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        }
        close(fd)
        refused += 1
        // One line per hundred refusals: a flood must not flood the journal too.
        if refused % 100 == 1 {
            logger.warning(
                "control connection refused: too many open",
                metadata: ["limit": "\(limits.connections)", "refused": "\(refused)"])
        }
    }

    private func serve(_ id: Int, events: Int32) {
        guard var connection = connections[id] else { return }
        switch connection.phase {
        case .reading where events & Int32(POLLIN) != 0:
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = read(connection.fd, &buffer, buffer.count)
            if count < 0 && (errno == EAGAIN || errno == EINTR) { return }
            guard count > 0 else { return finish(id) }
            connection.input.append(contentsOf: buffer[..<count])
            connections[id] = connection
            if let newline = connection.input.firstIndex(of: UInt8(ascii: "\n")) {
                guard newline <= limits.requestBytes else { return tooLarge(id) }
                answer(id, line: Array(connection.input[..<newline]))
            } else if connection.input.count > limits.requestBytes {
                tooLarge(id)
            }
        case .writing where events & Int32(POLLOUT) != 0:
            let count = connection.output[connection.sent...].withUnsafeBytes {
                send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            if count < 0 && (errno == EAGAIN || errno == EINTR) { return }
            guard count > 0 else { return finish(id) }
            connection.sent += count
            connections[id] = connection
            if connection.sent >= connection.output.count { finish(id) }
        default:
            // Hung up or failed (POLLHUP, POLLERR, POLLNVAL) in any phase: nobody to answer.
            finish(id)
        }
    }

    private func answer(_ id: Int, line: [UInt8]) {
        let request: ControlRequest
        do {
            request = try JSONDecoder().decode(ControlRequest.self, from: Data(line))
        } catch let unknown as ControlRequest.UnknownCommand {
            return startWriting(id, reply: ControlReply(ok: false, error: unknown.description, code: .unknownCommand))
        } catch {
            return startWriting(id, reply: ControlReply(ok: false, error: "the request is not a JSON control request"))
        }
        guard request.sources.count <= limits.sources else {
            return startWriting(
                id,
                reply: ControlReply(
                    ok: false,
                    error: "too many sources in one request (\(request.sources.count); at most \(limits.sources))"))
        }
        connections[id]?.phase = .answering
        connections[id]?.deadline = nil
        connections[id]?.input = []
        let handler = handler
        Task { [self] in deliver(id, await handler(request)) }
    }

    private func tooLarge(_ id: Int) {
        startWriting(
            id, reply: ControlReply(ok: false, error: "the request is larger than \(limits.requestBytes / 1024) KiB"))
    }

    private func startWriting(_ id: Int, reply: ControlReply) {
        var bytes = Array((try? JSONEncoder().encode(reply)) ?? Data())
        bytes.append(UInt8(ascii: "\n"))
        startWriting(id, bytes)
    }

    private func startWriting(_ id: Int, _ bytes: [UInt8]) {
        guard var connection = connections[id] else { return }  // the client left meanwhile
        connection.phase = .writing
        connection.input = []
        connection.output = bytes
        connection.sent = 0
        connection.deadline = ContinuousClock.now + limits.replyDeadline
        connections[id] = connection
    }

    private func expireDeadlines() {
        let now = ContinuousClock.now
        for (id, connection) in connections {
            guard let deadline = connection.deadline, deadline <= now else { continue }
            if connection.phase == .reading {
                logger.notice("control connection closed: no whole request within the deadline")
                startWriting(id, reply: ControlReply(ok: false, error: "no whole request within the deadline"))
                // One try to say why, without waiting, then the slot is freed.
                if let bytes = connections[id]?.output {
                    _ = bytes.withUnsafeBytes {
                        send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                    }
                }
            }
            finish(id)
        }
    }

    private func finish(_ id: Int) {
        guard let connection = connections.removeValue(forKey: id) else { return }
        close(connection.fd)
    }
}
