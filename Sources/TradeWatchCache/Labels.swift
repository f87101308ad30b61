public import Foundation
public import TradeWatchModel

// The types of the labels interface: what `CacheReader` answers about datasets, code names
// and series, and what `CacheWriter.recordReference` records.

/// A dataset the cache holds observations or a structure for.
public struct DatasetInfo: Sendable, Hashable, Codable {
    public var source: String
    public var dataset: String
    /// The current structure, nil when the publisher gave none (or it is not fetched yet).
    public var structure: DatasetStructure?
    /// Series stored under it (current or not).
    public var series: Int
    /// The revision that last changed its structure; nil without one.
    public var structureRevision: Int64?

    public init(
        source: String, dataset: String, structure: DatasetStructure? = nil, series: Int = 0,
        structureRevision: Int64? = nil
    ) {
        self.source = source
        self.dataset = dataset
        self.structure = structure
        self.series = series
        self.structureRevision = structureRevision
    }

    /// The title to show: English, else the first given.
    public var title: String? { structure?.names.preferred }
}

/// The current labels of one dataset's codes, every language stored.
public struct DatasetLabels: Sendable {
    /// component → code → labels (one per language).
    public var codes: [String: [String: [CodeLabel]]]

    public init(codes: [String: [String: [CodeLabel]]] = [:]) { self.codes = codes }

    public init(_ labels: [CodeLabel]) {
        var codes: [String: [String: [CodeLabel]]] = [:]
        for label in labels { codes[label.component, default: [:]][label.code, default: []].append(label) }
        self.codes = codes
    }

    /// The name to show for a code: English, else one without a language, else the first
    /// language in order; nil when none is stored.
    public func name(component: String, code: String) -> String? {
        guard let labels = codes[component]?[code], !labels.isEmpty else { return nil }
        let english = labels.first { $0.language.lowercased() == "en" || $0.language.lowercased().hasPrefix("en-") }
        return (english ?? labels.first { $0.language.isEmpty } ?? labels.min { $0.language < $1.language })?.name
    }

    public var isEmpty: Bool { codes.isEmpty }
}

/// Which series `CacheReader.series` lists. Every condition given must hold.
public struct SeriesQuery: Sendable, Hashable {
    /// Plain words; a series matches when each word is found in its codes, its dimension ids
    /// or the current labels of its codes (any language; case and diacritics ignored; a word
    /// matches a prefix of a word in a label).
    public var words: [String]
    public var sources: [String]?
    public var dataset: String?
    /// dimension → accepted codes (`--where PARTNER=408+410`).
    public var dimensions: [String: Set<String>]
    /// A shell glob over the series key, as `RowFilter.keyGlob`.
    public var keyGlob: String?
    public var limit: Int?
    /// With false, only the series' keys: no names, periods or revisions are looked up (an
    /// export lays out its tables from the keys alone).
    public var summaries: Bool

    public init(
        words: [String] = [], sources: [String]? = nil, dataset: String? = nil, dimensions: [String: Set<String>] = [:],
        keyGlob: String? = nil, limit: Int? = nil, summaries: Bool = true
    ) {
        self.summaries = summaries
        self.words = words
        self.sources = sources
        self.dataset = dataset
        self.dimensions = dimensions
        self.keyGlob = keyGlob
        self.limit = limit
    }
}

/// One series as `tradewatch series` lists it.
public struct SeriesSummary: Sendable, Hashable, Codable {
    public struct Dimension: Sendable, Hashable, Codable {
        public var id: String
        public var code: String
        /// The code's name to show (English preferred), nil when no label is stored.
        public var name: String?

        public init(id: String, code: String, name: String? = nil) {
            self.id = id
            self.code = code
            self.name = name
        }
    }

    public var source: String
    public var dataset: String
    /// The canonical series key (codes).
    public var key: String
    public var dimensions: [Dimension]
    /// Periods with a current observation.
    public var periods: Int
    public var firstPeriod: String?
    public var lastPeriod: String?
    /// The newest revision that added, changed or removed one of its observations.
    public var lastRevision: Int64?

    public init(
        source: String, dataset: String, key: String, dimensions: [Dimension], periods: Int, firstPeriod: String?,
        lastPeriod: String?, lastRevision: Int64?
    ) {
        self.source = source
        self.dataset = dataset
        self.key = key
        self.dimensions = dimensions
        self.periods = periods
        self.firstPeriod = firstPeriod
        self.lastPeriod = lastPeriod
        self.lastRevision = lastRevision
    }
}

/// Which code's label versions `CacheReader.labelHistory` lists.
public struct LabelQuery: Sendable, Hashable {
    public var source: String?
    public var dataset: String?
    public var component: String
    public var code: String

    public init(source: String? = nil, dataset: String? = nil, component: String, code: String) {
        self.source = source
        self.dataset = dataset
        self.component = component
        self.code = code
    }
}

/// One stored version of a code's label in one language.
public struct LabelVersion: Sendable, Hashable, Codable {
    public var source: String
    public var dataset: String
    public var label: CodeLabel
    public var fromRevision: Int64
    public var toRevision: Int64?

    public init(source: String, dataset: String, label: CodeLabel, fromRevision: Int64, toRevision: Int64?) {
        self.source = source
        self.dataset = dataset
        self.label = label
        self.fromRevision = fromRevision
        self.toRevision = toRevision
    }
}

// MARK: Reference documents

/// One fetch of a source's reference document (an SDMX structure, a Comtrade reference
/// list), as the sync engine hands it to `CacheWriter.recordReference`. A reference document
/// has its own validators and schedule: it never touches the source's data state.
public struct ReferenceFetchToRecord: Sendable {
    public var source: String
    public var kind: String
    /// A stable name for the document within the source (`structure`, `comtrade:Reporters`).
    public var document: String
    public var attempt: FetchAttempt
    public var result: ReferenceResult
    /// When the document is wanted again.
    public var nextDue: Date?
    public var finishedAt: Date

    public init(
        source: String, kind: String, document: String, attempt: FetchAttempt, result: ReferenceResult,
        nextDue: Date? = nil, finishedAt: Date = Date()
    ) {
        self.source = source
        self.kind = kind
        self.document = document
        self.attempt = attempt
        self.result = result
        self.nextDue = nextDue
        self.finishedAt = finishedAt
    }
}

/// What a reference fetch amounted to.
public enum ReferenceResult: Sendable {
    case failed(code: String, message: String)
    case notModified
    case samePayload
    /// The labels and structures the document defines, applied as one revision of the
    /// source when they change anything (a `LabelBatch`'s `complete` components withdraw
    /// what the batch lacks).
    case pulled([LabelBatch])
}

/// The stored state of one reference document of a source.
public struct ReferenceState: Sendable, Hashable {
    public var document: String
    public var url: String?
    public var etag: String?
    public var lastModified: String?
    public var payloadSHA256: String?
    public var lastAttempt: Date?
    public var lastSuccess: Date?
    public var nextDue: Date?
    public var consecutiveFailures: Int
    public var lastErrorCode: String?
    public var lastErrorMessage: String?

    public init(
        document: String, url: String? = nil, etag: String? = nil, lastModified: String? = nil,
        payloadSHA256: String? = nil, lastAttempt: Date? = nil, lastSuccess: Date? = nil, nextDue: Date? = nil,
        consecutiveFailures: Int = 0, lastErrorCode: String? = nil, lastErrorMessage: String? = nil
    ) {
        self.document = document
        self.url = url
        self.etag = etag
        self.lastModified = lastModified
        self.payloadSHA256 = payloadSHA256
        self.lastAttempt = lastAttempt
        self.lastSuccess = lastSuccess
        self.nextDue = nextDue
        self.consecutiveFailures = consecutiveFailures
        self.lastErrorCode = lastErrorCode
        self.lastErrorMessage = lastErrorMessage
    }
}
