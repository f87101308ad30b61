public import TradeWatchModel

/// A pull's entries made ready to store — columns, content hash, search text — before the
/// write transaction, so that this work runs wherever the pull was parsed (concurrently with
/// other syncs) rather than on the one thread that writes. An entry key the pull repeats
/// keeps its last occurrence.
public struct PreparedEntries: Sendable {
    struct Entry: Sendable {
        var key: String
        var fields: StoredEntryFields
        var hash: String
        var searchTitle: String?
        var searchBody: String
    }

    var entries: [Entry]

    /// - Parameter searchText: reads a field that is HTML as the text a reader sees, for the
    ///   search index (a plain-text field is its own search text). The cache never parses
    ///   markup: the caller passes the feed parser's HTML-to-text (`HTMLCleaner.text`), the
    ///   same function that derives display text.
    public init(_ entries: [TradeWatchModel.Entry], searchText: (String) -> String) {
        var winner: [String: Int] = [:]
        for (index, entry) in entries.enumerated() { winner[entry.key] = index }
        self.entries = entries.enumerated().compactMap { index, entry in
            guard winner[entry.key] == index else { return nil }
            let fields = StoredEntryFields(entry)
            return Entry(
                key: entry.key, fields: fields, hash: ContentHash.entry(fields),
                searchTitle: fields.searchTitle(readingHTML: searchText),
                searchBody: fields.searchBody(readingHTML: searchText))
        }
    }

    /// No entries: a statistics pull.
    public init() { entries = [] }

    public var count: Int { entries.count }
}

/// What a fetch parsed to, as `CacheWriter.record` applies it: entries prepared before the
/// write (see `PreparedEntries`), observations handed over one at a time inside it.
public struct PullContent {
    public var mode: Pull.Mode
    public var observationScope: ObservationScope
    public var entryScope: EntryScope
    public var entries: PreparedEntries
    /// Hands the pull's observations, deletions and warnings to the sink, inside the write
    /// transaction (a streaming parser calls it as it reads). If it throws, nothing is written.
    public var produce: (PullSink) throws -> Void

    public init(
        mode: Pull.Mode, observationScope: ObservationScope, entryScope: EntryScope = .none,
        entries: PreparedEntries = PreparedEntries(), produce: @escaping (PullSink) throws -> Void
    ) {
        self.mode = mode
        self.observationScope = observationScope
        self.entryScope = entryScope
        self.entries = entries
        self.produce = produce
    }

    /// A pull parsed whole: its entries prepared with `searchText`, its observations and
    /// deletions handed over from memory.
    public init(_ pull: Pull, searchText: (String) -> String) {
        self.init(pull, entries: PreparedEntries(pull.entries, searchText: searchText))
    }

    /// A pull parsed whole whose entries were prepared already (off the writer's thread, as
    /// a sync does); the pull's own `entries` are not looked at.
    public init(_ pull: Pull, entries: PreparedEntries) {
        let (observations, deleted) = (pull.observations, pull.deletedObservations)
        self.init(
            mode: pull.mode, observationScope: pull.observationScope, entryScope: pull.entryScope, entries: entries
        ) { sink in
            for observation in observations { try sink.add(observation) }
            for key in deleted { try sink.delete(key) }
        }
    }
}

/// What a fetch amounted to, as the sync engine hands it to the cache.
public enum FetchResult {
    /// The fetch or the parse failed; the cache keeps the error and touches no data.
    case failed(code: String, message: String)
    /// HTTP 304: the server says nothing changed.
    case notModified
    /// The payload hashed the same as the last one; not parsed again.
    case samePayload
    /// A pull to reconcile into at most one revision; it may still change nothing.
    case pulled(PullContent)
}
