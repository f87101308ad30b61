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
        _ = tw_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, configuration.maxConcurrent)
        _ = tw_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxPerHost)
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

    private final class State {
        var pending: [Transfer] = []
        var active: [UInt: Transfer] = [:]
        var perHost: [String: Int] = [:]
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
                        state.pending.append(transfer)
                    }
                case .cancel(let ticket):
                    abort(ticket, state)
                }
            }
            if stopping {
                for transfer in state.pending + Array(state.active.values) {
                    if let easy = transfer.easy { curl_multi_remove_handle(multi, easy) }
                    fail(transfer, FetchError(.aborted, "the fetcher is shutting down", url: transfer.redactedURL))
                }
                finished.signal()
                return
            }
            admit(state)
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let result = tw_multi_message_result(message)
                curl_multi_remove_handle(multi, easy)
                guard let transfer = state.active.removeValue(forKey: UInt(bitPattern: easy)) else { continue }
                release(transfer, state)
                complete(transfer, result: result)
            }
            if !state.pending.isEmpty && state.active.count < configuration.maxConcurrent {
                admit(state)
                curl_multi_perform(multi, &running)
            }
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

    private func admit(_ state: State) {
        guard !state.pending.isEmpty else { return }
        var waiting: [Transfer] = []
        for transfer in state.pending {
            let onHost = state.perHost[transfer.hostKey, default: 0]
            guard state.active.count < configuration.maxConcurrent, onHost < configuration.maxPerHost else {
                waiting.append(transfer)
                continue
            }
            do {
                let easy = try EasyHandle.make(for: transfer, configuration: configuration)
                transfer.easy = easy
                transfer.started = .now
                curl_multi_add_handle(multi, easy)
                state.active[UInt(bitPattern: easy)] = transfer
                state.perHost[transfer.hostKey] = onHost + 1
            } catch {
                fail(transfer, error)
            }
        }
        state.pending = waiting
    }

    private func release(_ transfer: Transfer, _ state: State) {
        let remaining = state.perHost[transfer.hostKey, default: 1] - 1
        state.perHost[transfer.hostKey] = remaining > 0 ? remaining : nil
    }

    private func abort(_ ticket: TransferTicket, _ state: State) {
        if let index = state.pending.firstIndex(where: { $0.ticket === ticket }) {
            let transfer = state.pending.remove(at: index)
            fail(transfer, FetchError(.aborted, "cancelled", url: transfer.redactedURL))
            return
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
