public import Foundation

/// When each configured source is next due. Built from the due times the cache persisted,
/// so a restart resumes where the last run stopped: a source already due runs now, one due
/// later waits, and one never scheduled is spread over the startup window.
public struct DueTable: Sendable, Equatable {
    public private(set) var due: [String: Date] = [:]

    public init() {}

    /// - Parameters:
    ///   - names: the configured sources, in configuration order.
    ///   - persisted: the due time the cache holds per source (absent for a new source).
    public init(names: [String], persisted: [String: Date], now: Date, spread: Duration) {
        let fresh = names.filter { persisted[$0] == nil }
        for name in names {
            if let stored = persisted[name] {
                due[name] = max(stored, now)
            } else {
                let index = fresh.firstIndex(of: name) ?? 0
                due[name] = SchedulePolicy.firstDue(at: now, index: index, count: fresh.count, spread: spread)
            }
        }
    }

    public subscript(name: String) -> Date? {
        get { due[name] }
        set { due[name] = newValue }
    }

    /// Sources due at `now`, earliest first (ties by name, so the order is deterministic).
    public func dueSources(at now: Date, excluding running: Set<String>) -> [String] {
        due.filter { $0.value <= now && !running.contains($0.key) }
            .sorted { ($0.value, $0.key) < ($1.value, $1.key) }
            .map(\.key)
    }

    /// The earliest due time among sources not running.
    public func next(excluding running: Set<String>) -> Date? {
        due.filter { !running.contains($0.key) }.values.min()
    }

    /// Keeps only `names`; new ones become due at `now`.
    public mutating func reconcile(names: [String], now: Date) {
        let keep = Set(names)
        due = due.filter { keep.contains($0.key) }
        for name in names where due[name] == nil { due[name] = now }
    }
}
