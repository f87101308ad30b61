import Dispatch
import Foundation
import TradeWatchCache

/// The daemon's cache writes, run one after another on a dedicated thread (so SQLite never
/// blocks Swift's cooperative threads) and committed in groups: the small writes that pile
/// up while one is running (a sync of a thousand feeds records a thousand fetches) go into
/// one transaction, each in a savepoint of its own, and their callers resume only once that
/// transaction has committed. A write that streams a large pull runs alone.
final class CacheWriteQueue: @unchecked Sendable {  // `pending` and `draining` are guarded by `lock`
    private struct Job {
        var groupable: Bool
        /// Does the write and keeps its result for `finish`; may run again after a failed group.
        var run: () throws -> Void
        /// Resumes the caller: with the kept result when given nil, else with the error.
        var finish: ((any Error)?) -> Void
    }

    private final class Slot<T>: @unchecked Sendable {  // written by `run`, read by `finish`, same thread
        var value: T?
    }

    private let cache: any CacheWriter
    private let queue = DispatchQueue(label: "tradewatch.cache-writer")
    private let lock = NSLock()
    private var pending: [Job] = []
    private var draining = false
    /// The most writes one transaction takes.
    private let maximumGroup: Int

    init(cache: any CacheWriter, maximumGroup: Int = 256) {
        self.cache = cache
        self.maximumGroup = maximumGroup
    }

    /// Runs `work` (which writes through `cache`) on the writer thread and returns its result
    /// once it is durable. `groupable` work must be quick and may run twice: it may share a
    /// transaction with other writes, and runs again alone if SQLite fails that transaction.
    func submit<T: Sendable>(groupable: Bool, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let slot = Slot<T>()
            let job = Job(
                groupable: groupable, run: { slot.value = try work() },
                finish: { error in
                    if let error {
                        continuation.resume(throwing: error)
                    } else if let value = slot.value {
                        continuation.resume(returning: value)
                    } else {
                        continuation.resume(throwing: CacheError(.database, "a cache write returned nothing"))
                    }
                })
            let start = lock.withLock {
                pending.append(job)
                defer { draining = true }
                return !draining
            }
            if start { queue.async { self.drain() } }
        }
    }

    private func drain() {
        while true {
            let group: [Job] = lock.withLock {
                guard let first = pending.first else {
                    draining = false
                    return []
                }
                let count = first.groupable ? pending.prefix(maximumGroup).prefix(while: \.groupable).count : 1
                defer { pending.removeFirst(count) }
                return Array(pending.prefix(count))
            }
            if group.isEmpty { return }
            run(group)
        }
    }

    private func run(_ group: [Job]) {
        if group.count > 1, let errors = try? cache.writeBatch(group.map(\.run)) {
            for (job, error) in zip(group, errors) { job.finish(error) }
            return
        }
        // One write, or a group SQLite failed as a whole: each in a transaction of its own,
        // so only the write that cannot be stored fails.
        for job in group {
            do {
                try job.run()
                job.finish(nil)
            } catch {
                job.finish(error)
            }
        }
    }
}
