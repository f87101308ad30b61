import Foundation
import Logging
import Synchronization
import TestSupport
import Testing
import TradeWatchCache
import TradeWatchDaemon
import TradeWatchFetch
import TradeWatchSync

/// A clock that moves only when the test says so.
final class ManualClock: SchedulerClock {
    private struct State {
        var now: Date
        var sleepers: [(id: Int, deadline: Date, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextID = 0
    }

    private let state: Mutex<State>

    init(start: Date) { state = Mutex(State(now: start)) }

    var now: Date { state.withLock { $0.now } }

    var sleeping: Int { state.withLock { $0.sleepers.count } }

    func sleep(until deadline: Date) async throws {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let ready = state.withLock { state -> Bool in
                    guard deadline > state.now else { return true }
                    state.sleepers.append((id, deadline, continuation))
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let cancelled = state.withLock { state in
                let index = state.sleepers.firstIndex { $0.id == id }
                return index.map { state.sleepers.remove(at: $0).continuation }
            }
            cancelled?.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and wakes every sleeper whose deadline has come.
    func advance(by seconds: TimeInterval) {
        let due = state.withLock { state in
            state.now = state.now.addingTimeInterval(seconds)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due.map(\.continuation)
        }
        for continuation in due { continuation.resume() }
    }
}

@Suite("The scheduler loop under a test clock")
struct SchedulerLoopTests {
    /// Waits in real time until `condition` holds (the syncs themselves are real fetches).
    func until(_ condition: () throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try condition()
    }

    @Test("Sources run when due, not before; failures retry on the backoff; a restart keeps due times")
    func dueTimes() async throws {
        let directory = TemporaryDirectory()
        let publisher = try Publisher()
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1_900_000_000))
        let cache = try SQLiteCache(path: directory.file("cache.db"))
        let fetcher = try Fetcher()
        defer { fetcher.shutdown() }
        let engine = SyncEngine(
            cache: cache, fetcher: fetcher, logger: Logger(label: "test"), environment: [:], clock: clock)
        var configuration = Configuration(file: "test.toml")
        configuration.daemon.interval = .seconds(600)
        configuration.daemon.jitter = .zero
        configuration.daemon.retryBase = .seconds(30)
        configuration.daemon.startupSpread = .zero
        configuration.sources = [
            SourceConfiguration(name: "news", kind: .feed(FeedSource(url: publisher.url("/feeds/korea-trade.rss")))),
            SourceConfiguration(name: "broken", kind: .feed(FeedSource(url: publisher.url("/hostile/500")))),
        ]
        func failures(_ name: String) throws -> Int {
            try cache.syncState(source: name)?.consecutiveFailures ?? 0
        }
        let scheduler = SyncScheduler(
            configuration: configuration, engine: engine, notifier: SystemdNotifier(environment: [:]),
            logger: Logger(label: "test"), controlSocket: nil, heartbeatInterval: .seconds(3600), clock: clock)
        let loop = Task { try await scheduler.run() }

        // Both are due at once; news succeeds, broken fails once.
        #expect(try await until { try failures("broken") == 1 && cache.syncState(source: "news")?.lastSuccess != nil })
        let start = clock.now
        #expect(try cache.syncState(source: "news")?.nextDue == start.addingTimeInterval(600))
        #expect(try cache.syncState(source: "broken")?.nextDue == start.addingTimeInterval(30))

        // 29 s later nothing has run again.
        #expect(try await until { clock.sleeping > 0 })
        clock.advance(by: 29)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try failures("broken") == 1)

        // At 30 s the failing source is retried, then backs off to 60 s.
        clock.advance(by: 1)
        #expect(try await until { try failures("broken") == 2 })
        #expect(try cache.syncState(source: "broken")?.nextDue == start.addingTimeInterval(30 + 60))

        // The healthy source waits for its interval; at 600 s it is fetched again (a 304).
        let newsAttempt = try cache.syncState(source: "news")?.lastSuccess
        #expect(try await until { clock.sleeping > 0 })
        clock.advance(by: 500)
        #expect(try await until { try failures("broken") == 3 })
        #expect(try cache.syncState(source: "news")?.lastSuccess == newsAttempt)
        clock.advance(by: 100)
        #expect(try await until { try cache.status().first { $0.name == "news" }?.lastOutcome == "not-modified" })
        // It ran when the clock reached it (630 s in), so it is next due an interval after that.
        #expect(try cache.syncState(source: "news")?.nextDue == start.addingTimeInterval(630 + 600))
        loop.cancel()
        _ = try? await loop.value

        // A new scheduler on the same cache keeps the persisted due times instead of running all now.
        let table = DueTable(
            names: ["news", "broken"],
            persisted: [
                "news": try #require(try cache.syncState(source: "news")?.nextDue),
                "broken": try #require(try cache.syncState(source: "broken")?.nextDue),
            ], now: clock.now, spread: .zero)
        #expect(table.dueSources(at: clock.now, excluding: []).isEmpty)
    }
}
