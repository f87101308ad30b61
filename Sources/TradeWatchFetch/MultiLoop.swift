import CCurl
import Foundation
import Synchronization

/// libcurl's multi interface, driven from one dedicated thread.
///
/// Other threads only put commands in the inbox and wake the loop; every CURL and CURLM
/// handle is touched on the loop's thread alone. The loop blocks in `curl_multi_poll`, so an
/// idle fetcher uses no CPU.
final class MultiLoop: Sendable {
    private enum Command {
        case add(Transfer)
        case cancel(TransferTicket)
    }

    private struct Inbox: ~Copyable {
        var commands: [Command] = []
        var shuttingDown = false
    }

    private let inbox = Mutex(Inbox())
    // The CURLM handle is created here and then used by the loop thread only; other threads
    // call nothing on it but curl_multi_wakeup, which libcurl documents as thread-safe.
    private nonisolated(unsafe) let multi: UnsafeMutableRawPointer
    private let configuration: FetchConfiguration
    private let finished = DispatchSemaphore(value: 0)

    init(configuration: FetchConfiguration) throws {
        MultiLoop.initialiseLibcurl
        self.configuration = configuration
        guard let multi = curl_multi_init() else {
            throw FetchError(.io, "libcurl could not create a multi handle (out of memory?)", url: "")
        }
        self.multi = multi
        // The limits are enforced by admission below, not by CURLMOPT_MAX_*_CONNECTIONS: libcurl
        // parks transfers over those limits without a timeout, and they would then wait for the
        // poll to time out instead of starting when a connection frees up.
        let thread = Thread { [self] in self.run() }
        thread.name = "tradewatch-fetch"
        thread.start()
    }

    private static let initialiseLibcurl: Void = {
        curl_global_init(Int(CURL_GLOBAL_ALL))
    }()

    func submit(_ transfer: Transfer) {
        let accepted = inbox.withLock { inbox -> Bool in
            guard !inbox.shuttingDown else { return false }
            inbox.commands.append(.add(transfer))
            return true
        }
        if accepted {
            curl_multi_wakeup(multi)
        } else {
            transfer.continuation.resume(
                throwing: FetchError(.aborted, "the fetcher is shutting down", url: transfer.redactedURL))
        }
    }

    func cancel(_ ticket: TransferTicket) {
        ticket.cancel()
        inbox.withLock { $0.commands.append(.cancel(ticket)) }
        curl_multi_wakeup(multi)
    }

    /// Aborts every transfer and stops the thread. Waits for the loop to finish.
    func shutdown() {
        let first = inbox.withLock { inbox -> Bool in
            defer { inbox.shuttingDown = true }
            return !inbox.shuttingDown
        }
        guard first else { return }
        curl_multi_wakeup(multi)
        finished.wait()
        curl_multi_cleanup(multi)
    }

    // MARK: The loop (its thread only)

    /// Transfers waiting for a slot, per host, in arrival order.
    private struct HostQueue {
        var items: [Transfer] = []
        var head = 0

        var isEmpty: Bool { head >= items.count }

        mutating func push(_ transfer: Transfer) { items.append(transfer) }

        mutating func pop() -> Transfer? {
            guard head < items.count else { return nil }
            let transfer = items[head]
            head += 1
            if head > 64 && head * 2 > items.count {
                items.removeFirst(head)
                head = 0
            }
            return transfer
        }

        mutating func remove(_ ticket: TransferTicket) -> Transfer? {
            guard let index = items[head...].firstIndex(where: { $0.ticket === ticket }) else { return nil }
            return items.remove(at: index)
        }

        var all: ArraySlice<Transfer> { items[head...] }
    }

    private final class State {
        var queues: [String: HostQueue] = [:]
        /// Hosts with waiting transfers, in the order their first one arrived.
        var waitingHosts: [String] = []
        var active: [UInt: Transfer] = [:]
        var perHost: [String: Int] = [:]

        func enqueue(_ transfer: Transfer) {
            if queues[transfer.hostKey] == nil {
                queues[transfer.hostKey] = HostQueue()
                waitingHosts.append(transfer.hostKey)
            }
            queues[transfer.hostKey]?.push(transfer)
        }

        var allPending: [Transfer] { waitingHosts.flatMap { queues[$0]?.all ?? [] } }
    }

    private func run() {
        let state = State()
        while true {
            let (commands, stopping) = inbox.withLock { inbox -> ([Command], Bool) in
                defer { inbox.commands.removeAll(keepingCapacity: true) }
                return (inbox.commands, inbox.shuttingDown)
            }
            for command in commands {
                switch command {
                case .add(let transfer):
                    if transfer.ticket.isCancelled {
                        fail(transfer, FetchError(.aborted, "cancelled", url: transfer.redactedURL))
                    } else {
                        state.enqueue(transfer)
                    }
                case .cancel(let ticket):
                    abort(ticket, state)
                }
            }
            if stopping {
                for transfer in state.allPending + Array(state.active.values) {
                    if let easy = transfer.easy { curl_multi_remove_handle(multi, easy) }
                    fail(transfer, FetchError(.aborted, "the fetcher is shutting down", url: transfer.redactedURL))
                }
                finished.signal()
                return
            }
            // Perform, collect what finished, and start what that made room for, until a round
            // admits nothing new: a transfer finished in the last perform must not wait for the poll.
            var running: Int32 = 0
            admit(state)
            var admitted = 0
            repeat {
                curl_multi_perform(multi, &running)
                let finished = collectFinished(state)
                admitted = finished > 0 ? admit(state) : 0
            } while admitted > 0
            // Idle: sleep until a command wakes us (an hour is just a bound, not a schedule).
            var timeout = 3_600_000
            if !state.active.isEmpty {
                var suggested = -1
                curl_multi_timeout(multi, &suggested)
                timeout = suggested < 0 ? 1000 : min(suggested, 1000)
            }
            curl_multi_poll(multi, nil, 0, Int32(timeout), nil)
        }
    }

    /// Completes every transfer libcurl reports done; returns how many.
    private func collectFinished(_ state: State) -> Int {
        var count = 0
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let result = tw_multi_message_result(message)
            curl_multi_remove_handle(multi, easy)
            guard let transfer = state.active.removeValue(forKey: UInt(bitPattern: easy)) else { continue }
            release(transfer, state)
            complete(transfer, result: result)
            count += 1
        }
        return count
    }

    /// Starts waiting transfers within the limits, taking hosts in turn; returns how many started.
    @discardableResult
    private func admit(_ state: State) -> Int {
        var started = 0
        var progress = true
        while progress && state.active.count < configuration.maxConcurrent && !state.waitingHosts.isEmpty {
            progress = false
            for host in state.waitingHosts where state.active.count < configuration.maxConcurrent {
                let onHost = state.perHost[host, default: 0]
                guard onHost < configuration.maxPerHost, let transfer = state.queues[host]?.pop() else { continue }
                progress = true
                do {
                    let easy = try EasyHandle.make(for: transfer, configuration: configuration)
                    transfer.easy = easy
                    transfer.started = .now
                    curl_multi_add_handle(multi, easy)
                    state.active[UInt(bitPattern: easy)] = transfer
                    state.perHost[host] = onHost + 1
                    started += 1
                } catch {
                    fail(transfer, error)
                }
            }
            state.waitingHosts.removeAll { host in
                guard state.queues[host]?.isEmpty ?? true else { return false }
                state.queues[host] = nil
                return true
            }
        }
        return started
    }

    private func release(_ transfer: Transfer, _ state: State) {
        let remaining = state.perHost[transfer.hostKey, default: 1] - 1
        state.perHost[transfer.hostKey] = remaining > 0 ? remaining : nil
    }

    private func abort(_ ticket: TransferTicket, _ state: State) {
        for host in state.waitingHosts {
            if let transfer = state.queues[host]?.remove(ticket) {
                fail(transfer, FetchError(.aborted, "cancelled", url: transfer.redactedURL))
                return
            }
        }
        guard let (key, transfer) = state.active.first(where: { $0.value.ticket === ticket }) else { return }
        state.active[key] = nil
        if let easy = transfer.easy { curl_multi_remove_handle(multi, easy) }
        release(transfer, state)
        fail(transfer, FetchError(.aborted, "cancelled", url: transfer.redactedURL))
    }

    private func fail(_ transfer: Transfer, _ error: any Error) {
        transfer.cleanUp()
        transfer.continuation.resume(throwing: error)
    }

    private func complete(_ transfer: Transfer, result: CURLcode) {
        let outcome = Result { try EasyHandle.response(of: transfer, result: result) }
        transfer.cleanUp()
        transfer.continuation.resume(with: outcome)
    }
}
