public import Foundation
public import TradeWatchModel

/// One stored version of an observation, visible from `fromRevision` until `toRevision`
/// (exclusive; nil while current).
public struct ObservationVersion: Sendable, Hashable, Codable {
    public var source: String
    public var dataset: String
    public var series: String
    public var period: String
    public var periodStart: String?
    public var periodEnd: String?
    public var value: String?
    public var number: Double?
    public var unit: String?
    public var unitMultiplier: Int?
    public var status: String?
    public var attributes: [String: String]
    public var fromRevision: Int64
    public var toRevision: Int64?

    public var key: ObservationKey { ObservationKey(dataset: dataset, series: series, period: period) }
}

/// One stored version of an entry.
public struct EntryVersion: Sendable, Hashable {
    public var source: String
    public var entry: Entry
    public var fromRevision: Int64
    public var toRevision: Int64?
}

/// A point in the cache's history to read at.
public enum RevisionPoint: Sendable, Hashable {
    case latest
    /// `latest~N`: N revisions before the latest.
    case beforeLatest(Int64)
    case revision(Int64)
    /// The last revision created at or before this instant.
    case time(Date)

    /// Reads `42`, `latest`, `latest~2`, `@2019-07-03`, `@2019-07-03T12:00:00Z`.
    public init?(_ text: String) {
        if text == "latest" {
            self = .latest
        } else if text.hasPrefix("latest~"), let back = Int64(text.dropFirst(7)), back >= 0 {
            self = back == 0 ? .latest : .beforeLatest(back)
        } else if text.hasPrefix("@") {
            let stamp = String(text.dropFirst())
            if let date = Timestamp.parse(stamp) {
                self = .time(date)
            } else if let day = CalendarDate(stamp) {
                // A bare date means the end of that day, UTC: "what did we know on 3 July?"
                self = .time(Date(timeIntervalSince1970: Double(day.daysSinceEpoch + 1) * 86_400 - 0.001))
            } else {
                return nil
            }
        } else if let number = Int64(text), number >= 0 {
            self = .revision(number)
        } else {
            return nil
        }
    }
}

/// How an observation or entry differs between two revisions.
public enum ChangeKind: String, Sendable, Codable {
    case added
    case changed
    case removed
}

public struct ObservationChange: Sendable, Hashable {
    public var kind: ChangeKind
    public var source: String
    public var key: ObservationKey
    public var old: ObservationVersion?
    public var new: ObservationVersion?
}

public struct EntryChange: Sendable, Hashable {
    public var kind: ChangeKind
    public var source: String
    public var key: String
    public var old: EntryVersion?
    public var new: EntryVersion?
    /// The fields that differ, for a change (`title`, `summary`, ...).
    public var changedFields: [String]
}

/// The difference between two revisions of the cache.
public struct CacheDiff: Sendable {
    public var from: Int64
    public var to: Int64
    public var observations: [ObservationChange]
    public var entries: [EntryChange]
}

/// Narrows diffs, history and snapshots.
public struct RowFilter: Sendable {
    public var sources: [String]?
    public var dataset: String?
    /// A shell glob over the series key (SQLite GLOB syntax: `*`, `?`, `[...]`).
    public var keyGlob: String?
    /// dimension → accepted codes: only series whose key has one of them (`--where`).
    public var dimensions: [String: Set<String>]
    /// Only series a `SeriesQuery` with these words selects (`--match`).
    public var words: [String]

    public init(
        sources: [String]? = nil, dataset: String? = nil, keyGlob: String? = nil,
        dimensions: [String: Set<String>] = [:], words: [String] = []
    ) {
        self.sources = sources
        self.dataset = dataset
        self.keyGlob = keyGlob
        self.dimensions = dimensions
        self.words = words
    }
}
