import Foundation
import Testing
import TradeWatchSync

@Suite("When sources are due")
struct ScheduleTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let policy = SchedulePolicy(
        interval: .seconds(3600), jitter: .seconds(600), retryBase: .seconds(60), retryCap: .seconds(1800))

    @Test("After a success: one interval later plus a jitter within its bounds")
    func jitterBounds() {
        #expect(policy.afterSuccess(at: now, random: 0) == now.addingTimeInterval(3600))
        #expect(policy.afterSuccess(at: now, random: 0.5) == now.addingTimeInterval(3900))
        #expect(policy.afterSuccess(at: now, random: 1) == now.addingTimeInterval(4200))
        for _ in 0..<100 {
            let due = policy.afterSuccess(at: now, random: Double.random(in: 0..<1)).timeIntervalSince(now)
            #expect(due >= 3600 && due < 4200)
        }
    }

    @Test("Failures back off exponentially up to the cap, and keep being retried there")
    func backoff() {
        let delays = (1...8).map { policy.afterFailure(at: now, failures: $0, retryAfter: nil).timeIntervalSince(now) }
        #expect(delays == [60, 120, 240, 480, 960, 1800, 1800, 1800])
        // Never less often than the source's own interval.
        let frequent = SchedulePolicy(
            interval: .seconds(300), jitter: .zero, retryBase: .seconds(60), retryCap: .seconds(3600))
        #expect(frequent.afterFailure(at: now, failures: 10, retryAfter: nil) == now.addingTimeInterval(300))
        #expect(policy.afterFailure(at: now, failures: 10_000, retryAfter: nil) == now.addingTimeInterval(1800))
    }

    @Test("Retry-After is honoured even past the cap, but not for ever")
    func retryAfter() {
        #expect(policy.afterFailure(at: now, failures: 1, retryAfter: .seconds(7200)) == now.addingTimeInterval(7200))
        #expect(policy.afterFailure(at: now, failures: 6, retryAfter: .seconds(10)) == now.addingTimeInterval(1800))
        let week = policy.afterFailure(at: now, failures: 1, retryAfter: .seconds(90 * 86_400)).timeIntervalSince(now)
        #expect(week == 7 * 86_400)
    }

    @Test("A restart resumes the persisted due times; new sources are spread over the window")
    func restart() {
        let persisted = [
            "late": now.addingTimeInterval(-500),  // was due while the daemon was down: runs now
            "later": now.addingTimeInterval(900),  // waits its turn, not a stampede
        ]
        let table = DueTable(
            names: ["late", "later", "new-a", "new-b", "new-c", "new-d"], persisted: persisted, now: now,
            spread: .seconds(120))
        #expect(table["late"] == now)
        #expect(table["later"] == now.addingTimeInterval(900))
        #expect(table["new-a"] == now)
        #expect(table["new-b"] == now.addingTimeInterval(30))
        #expect(table["new-c"] == now.addingTimeInterval(60))
        #expect(table["new-d"] == now.addingTimeInterval(90))
        #expect(table.dueSources(at: now, excluding: []) == ["late", "new-a"])
        #expect(table.dueSources(at: now, excluding: ["late"]) == ["new-a"])
        #expect(table.next(excluding: ["late", "new-a"]) == now.addingTimeInterval(30))
    }

    @Test("A reload keeps due times, drops removed sources and makes added ones due now")
    func reload() {
        var table = DueTable(names: ["a", "b"], persisted: ["a": now.addingTimeInterval(600)], now: now, spread: .zero)
        table.reconcile(names: ["a", "c"], now: now.addingTimeInterval(5))
        #expect(table["a"] == now.addingTimeInterval(600))
        #expect(table["b"] == nil)
        #expect(table["c"] == now.addingTimeInterval(5))
    }
}
