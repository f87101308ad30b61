public import Foundation
public import TradeWatchModel

/// What reads the versioned cache: the CLI, exports and (later) the web view.
///
/// A reader never writes, whatever the backend: the type says so, not a flag checked at run
/// time. Every call sees one consistent revision of the cache (one read transaction), and
/// may run while the daemon writes. Errors are ``CacheError``.
public protocol CacheReader: Sendable {
    /// Where the cache lives, as a user would name it in `--db` (a path for SQLite).
    /// It is shown and logged, so it never holds a secret (a backend reached with a password
    /// shows its address without it).
    var location: String { get }

    // MARK: Status

    /// Every source the cache knows, with its sync health and row counts.
    func status() throws -> [SourceStatus]
    /// The daemon's heartbeat row, nil before the daemon's first start.
    func heartbeat() throws -> DaemonHeartbeat?
    /// The persisted scheduling state of `source`, nil when the cache has never seen it.
    func syncState(source: String) throws -> SyncState?

    // MARK: Revisions

    /// The revision a point names; 0 when the cache has no revision at or before it.
    func resolve(_ point: RevisionPoint) throws -> Int64
    /// One revision's summary, nil when there is none with that id.
    func revision(_ id: Int64) throws -> RevisionSummary?
    /// Revisions, newest first.
    func log(_ query: LogQuery) throws -> [RevisionSummary]

    // MARK: Changes

    /// What changed between two revisions (either order), figures and articles.
    func diff(from: Int64, to: Int64, filter: RowFilter) throws -> CacheDiff
    /// The articles that changed between two revisions.
    func entryChanges(from: Int64, to: Int64, filter: RowFilter) throws -> [EntryChange]
    /// Streams the figures that changed between two revisions, in key order, never holding
    /// them all.
    func forEachObservationChange(
        from: Int64, to: Int64, filter: RowFilter, _ body: (ObservationChange) throws -> Void
    ) throws

    // MARK: As of a revision

    /// Streams the observations visible at `revision`, sorted by source, dataset, series, period.
    func forEachObservation(
        at revision: Int64, filter: RowFilter, _ body: (ObservationVersion) throws -> Void) throws
    /// The same rows as `forEachObservation`, with their fields as the text an export writes.
    func forEachObservationText(
        at revision: Int64, filter: RowFilter, _ body: (ObservationTextRow) throws -> Void) throws
    /// The entries visible at `revision`.
    func entries(at revision: Int64, sources: [String]?) throws -> [EntryVersion]

    // MARK: History and search

    /// Every version of one observation, oldest first.
    func history(source: String?, key: ObservationKey) throws -> [ObservationVersion]
    /// Every version of one period of a series (in any dataset), oldest first.
    func history(source: String?, series: String, period: String) throws -> [ObservationVersion]
    /// Every version of one article, oldest first.
    func entryHistory(source: String?, key: String) throws -> [EntryVersion]
    /// Full-text search over the current entries, best first.
    func search(_ query: SearchQuery) throws -> [SearchHit]

    // MARK: Labels and series

    /// The datasets of `sources` (all when nil), with their structure as of `revision` (nil:
    /// the current one).
    func datasets(sources: [String]?, at revision: Int64?) throws -> [DatasetInfo]
    /// The labels of one dataset's codes as of `revision` (nil: the current ones); an export of
    /// an old revision names its codes as they were named then.
    func labels(source: String, dataset: String, at revision: Int64?) throws -> DatasetLabels
    /// The series a query selects, in source, dataset, key order, with their labelled key.
    func series(_ query: SeriesQuery) throws -> [SeriesSummary]
    /// Every version of one code's labels (every language), oldest first.
    func labelHistory(_ query: LabelQuery) throws -> [LabelVersion]
    /// The state of each reference document of `source` (structures, reference lists).
    func referenceStates(source: String) throws -> [ReferenceState]

    // MARK: Payloads and integrity

    /// A kept payload, decompressed; nil when it was not kept (or has been pruned).
    func payload(source: String, sha256: String) throws -> Data?
    /// The hashes of `source`'s kept payloads, newest first.
    func keptPayloads(source: String) throws -> [String]
    /// The cache's invariants, each checked over every row.
    func verify() throws -> VerifyReport
    /// The damage the daemon's integrity check recorded, nil when none is (see `CacheWriter.recordDamage`).
    func recordedDamage() -> CacheDamage?
}

extension CacheReader {
    /// The datasets of `sources` (all when nil), with their current structure.
    public func datasets(sources: [String]?) throws -> [DatasetInfo] { try datasets(sources: sources, at: nil) }

    /// The current labels of one dataset's codes.
    public func labels(source: String, dataset: String) throws -> DatasetLabels {
        try labels(source: source, dataset: dataset, at: nil)
    }

    /// Revisions, newest first: of `sources` (all when nil), created in `since...until`, at most `limit`.
    public func log(
        sources: [String]? = nil, since: Date? = nil, until: Date? = nil, limit: Int? = nil
    ) throws -> [RevisionSummary] {
        try log(LogQuery(sources: sources, since: since, until: until, limit: limit))
    }

    public func diff(from: Int64, to: Int64) throws -> CacheDiff {
        try diff(from: from, to: to, filter: RowFilter())
    }

    public func entryChanges(from: Int64, to: Int64) throws -> [EntryChange] {
        try entryChanges(from: from, to: to, filter: RowFilter())
    }

    public func forEachObservationChange(
        from: Int64, to: Int64, _ body: (ObservationChange) throws -> Void
    ) throws {
        try forEachObservationChange(from: from, to: to, filter: RowFilter(), body)
    }

    public func forEachObservation(at revision: Int64, _ body: (ObservationVersion) throws -> Void) throws {
        try forEachObservation(at: revision, filter: RowFilter(), body)
    }

    /// The observations visible at `revision`, sorted by source, dataset, series and period.
    public func observations(at revision: Int64, filter: RowFilter = RowFilter()) throws -> [ObservationVersion] {
        var result: [ObservationVersion] = []
        try forEachObservation(at: revision, filter: filter) { result.append($0) }
        return result
    }

    public func entries(at revision: Int64) throws -> [EntryVersion] {
        try entries(at: revision, sources: nil)
    }

    public func history(key: ObservationKey) throws -> [ObservationVersion] {
        try history(source: nil, key: key)
    }

    public func history(series: String, period: String) throws -> [ObservationVersion] {
        try history(source: nil, series: series, period: period)
    }

    public func entryHistory(key: String) throws -> [EntryVersion] {
        try entryHistory(source: nil, key: key)
    }

    /// Full-text search; `text` is FTS5 syntax, plain words match all of them.
    public func search(
        _ text: String, sources: [String]? = nil, since: Date? = nil, limit: Int = 20
    ) throws
        -> [SearchHit]
    {
        try search(SearchQuery(text: text, sources: sources, since: since, limit: limit))
    }
}

/// Which revisions `log` lists.
public struct LogQuery: Sendable, Hashable {
    public var sources: [String]?
    public var since: Date?
    public var until: Date?
    public var limit: Int?

    public init(sources: [String]? = nil, since: Date? = nil, until: Date? = nil, limit: Int? = nil) {
        self.sources = sources
        self.since = since
        self.until = until
        self.limit = limit
    }
}

/// A full-text search over the current articles.
public struct SearchQuery: Sendable, Hashable {
    /// FTS5 syntax; plain words match all of them.
    public var text: String
    public var sources: [String]?
    /// Only articles published (or else updated) at or after this time.
    public var since: Date?
    public var limit: Int

    public init(text: String, sources: [String]? = nil, since: Date? = nil, limit: Int = 20) {
        self.text = text
        self.sources = sources
        self.since = since
        self.limit = limit
    }
}
