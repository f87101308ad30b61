public import Foundation

/// What one fetch of a source contributes to the cache, and how far it reaches.
///
/// A *snapshot* pull states the whole truth inside its scope: a row of the source that lies
/// inside the scope but is absent from the pull was removed. A *delta* pull only upserts what
/// it carries and deletes what it names (SDMX `updatedAfter` answers, `action="Delete"`).
public struct Pull: Sendable {
    public enum Mode: Sendable {
        case snapshot
        case delta
    }

    public var mode: Mode
    public var observations: [Observation]
    public var observationScope: ObservationScope
    /// Keys a delta pull deletes.
    public var deletedObservations: [ObservationKey]
    public var entries: [Entry]
    public var entryScope: EntryScope

    public init(
        mode: Mode = .snapshot, observations: [Observation] = [], observationScope: ObservationScope = .none,
        deletedObservations: [ObservationKey] = [], entries: [Entry] = [], entryScope: EntryScope = .none
    ) {
        self.mode = mode
        self.observations = observations
        self.observationScope = observationScope
        self.deletedObservations = deletedObservations
        self.entries = entries
        self.entryScope = entryScope
    }
}

/// Which observations of a source a snapshot pull speaks for.
public struct ObservationScope: Sendable, Hashable {
    /// Datasets covered; nil means every dataset of the source.
    public var datasets: Set<String>?
    /// Dimension id → the values queried. A dimension not named here is unconstrained.
    public var dimensions: [String: Set<String>]
    /// Covered periods, by the first day they cover (inclusive bounds); nil bounds are open.
    public var periodsFrom: CalendarDate?
    public var periodsThrough: CalendarDate?
    /// Covered periods by their exact text, when the query named them one by one.
    public var periodTexts: Set<String>?
    /// False for a scope that covers nothing (a pull that removes nothing).
    public var coversAnything: Bool

    public init(
        datasets: Set<String>? = nil, dimensions: [String: Set<String>] = [:], periodsFrom: CalendarDate? = nil,
        periodsThrough: CalendarDate? = nil, periodTexts: Set<String>? = nil
    ) {
        self.datasets = datasets
        self.dimensions = dimensions
        self.periodsFrom = periodsFrom
        self.periodsThrough = periodsThrough
        self.periodTexts = periodTexts
        self.coversAnything = true
    }

    /// Every observation of the source.
    public static let wholeSource = ObservationScope()

    /// No observation: nothing is removed for being absent.
    public static var none: ObservationScope {
        var scope = ObservationScope()
        scope.coversAnything = false
        return scope
    }

    public func contains(_ key: ObservationKey) -> Bool {
        guard coversAnything else { return false }
        if let datasets, !datasets.contains(key.dataset) { return false }
        if let periodTexts, !periodTexts.contains(key.period) { return false }
        if periodsFrom != nil || periodsThrough != nil {
            guard let start = Period(key.period).start else { return false }
            if let periodsFrom, start < periodsFrom { return false }
            if let periodsThrough, periodsThrough < start { return false }
        }
        if !dimensions.isEmpty {
            guard let series = SeriesKey(canonical: key.series) else { return false }
            for (dimension, allowed) in dimensions {
                guard let value = series[dimension], allowed.contains(value) else { return false }
            }
        }
        return true
    }
}

/// Which entries of a source a snapshot pull speaks for.
///
/// Feeds show a window of recent items; an item that rolls off the bottom was not withdrawn.
/// `.publishedSince(date)` covers only entries published at or after the oldest item the
/// document still shows, so an item missing from inside that window counts as removed.
public enum EntryScope: Sendable, Hashable {
    case none
    case all
    case publishedSince(Date)
}
