public import Foundation

/// The time the scheduler lives by. Due times are wall-clock dates (they are persisted and
/// survive restarts), so the clock gives a `Date` and sleeps for durations of the same time;
/// tests drive a manual one, the daemon uses `SystemSchedulerClock`.
public protocol SchedulerClock: Sendable {
    var now: Date { get }
    /// Suspends until `deadline`; throws `CancellationError` when the task is cancelled.
    /// An absolute deadline, so no time passes unnoticed between reading `now` and sleeping.
    func sleep(until deadline: Date) async throws
}

/// The real clock.
public struct SystemSchedulerClock: SchedulerClock {
    public init() {}
    public var now: Date { Date() }
    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSinceNow
        guard seconds > 0 else { return }
        try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up))))
    }
}
