public import Foundation

/// When a source is due next. Pure arithmetic on dates, so it is tested without waiting.
public struct SchedulePolicy: Sendable {
    public var interval: Duration
    public var jitter: Duration
    public var retryBase: Duration
    public var retryCap: Duration
    /// The longest `Retry-After` believed; a server asking for a week is asked again sooner.
    public var retryAfterLimit: Duration = .seconds(7 * 86_400)

    public init(interval: Duration, jitter: Duration, retryBase: Duration, retryCap: Duration) {
        self.interval = interval
        self.jitter = jitter
        self.retryBase = retryBase
        self.retryCap = retryCap
    }

    public init(source: SourceConfiguration, daemon: DaemonSettings) {
        self.init(
            interval: source.effectiveInterval(daemon), jitter: source.effectiveJitter(daemon),
            retryBase: daemon.retryBase, retryCap: daemon.retryCap)
    }

    /// After a successful sync: one interval later, plus up to `jitter` (`random` in 0..<1).
    public func afterSuccess(at now: Date, random: Double) -> Date {
        now.addingTimeInterval(Self.seconds(interval) + Self.seconds(jitter) * min(max(random, 0), 1))
    }

    /// After the `failures`-th failure in a row: `retryBase` doubled per earlier failure,
    /// capped by `retryCap` and by the interval itself (a failing source is never tried less
    /// often than a healthy one), and never sooner than the server's `Retry-After`.
    public func afterFailure(at now: Date, failures: Int, retryAfter: Duration?) -> Date {
        let doublings = min(max(failures - 1, 0), 30)
        let backoff = Self.seconds(retryBase) * pow(2, Double(doublings))
        var delay = min(backoff, Self.seconds(retryCap), Self.seconds(interval))
        if let retryAfter {
            delay = max(delay, min(Self.seconds(retryAfter), Self.seconds(retryAfterLimit)))
        }
        return now.addingTimeInterval(delay)
    }

    /// The first due time of a source the cache has never scheduled: spread over `spread` by
    /// its position among such sources, so a first start does not hit every server at once.
    public static func firstDue(at now: Date, index: Int, count: Int, spread: Duration) -> Date {
        guard count > 1 else { return now }
        return now.addingTimeInterval(seconds(spread) * Double(index) / Double(count))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
