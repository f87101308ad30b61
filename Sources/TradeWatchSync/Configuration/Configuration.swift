/// Everything `tradewatchd` reads from its configuration file. Values are checked when the
/// file is read (`ConfigurationLoader`); code past that point never meets a bad one. Codable
/// because a child process checks the file and hands the result back as JSON
/// (`ConfigurationChecker`).
public struct Configuration: Sendable, Equatable, Codable {
    /// The file it was read from, for messages.
    public var file: String
    public var daemon: DaemonSettings
    public var sources: [SourceConfiguration]

    public init(file: String, daemon: DaemonSettings = DaemonSettings(), sources: [SourceConfiguration] = []) {
        self.file = file
        self.daemon = daemon
        self.sources = sources
    }

    public func source(named name: String) -> SourceConfiguration? {
        sources.first { $0.name == name }
    }
}

/// The `[daemon]` table.
public struct DaemonSettings: Sendable, Equatable, Codable {
    /// The cache file; nil means `CachePath.resolve` decides.
    public var cache: String?
    /// How often a source without its own `interval` is pulled.
    public var interval: Duration = .seconds(3600)
    /// Up to this much is added at random to every due time, so sources drift apart.
    public var jitter: Duration = .seconds(60)
    /// Transfers in flight over all hosts, and to one host.
    public var maxConcurrent: Int = 16
    public var maxPerHost: Int = 4
    /// Appended to the User-Agent so publishers can reach the operator.
    public var contact: String?
    /// Whole-transfer timeout and the largest accepted body, unless a source says otherwise.
    public var timeout: Duration = .seconds(300)
    public var connectTimeout: Duration = .seconds(15)
    public var maxBytes: Int64 = 256 << 20
    /// The control socket; nil means `$RUNTIME_DIRECTORY/control.sock`, else none.
    public var controlSocket: String?
    /// A failing source is retried after `retryBase`, doubling up to `retryCap` (never
    /// longer than its own interval).
    public var retryBase: Duration = .seconds(60)
    public var retryCap: Duration = .seconds(6 * 3600)
    /// At first start, sources never synced before are spread over this window.
    public var startupSpread: Duration = .seconds(120)
    /// How many raw payloads a source that keeps them retains.
    public var keepPayloads: Int = 5

    public init() {}
}

/// One `[[source]]` table.
public struct SourceConfiguration: Sendable, Equatable, Codable {
    public var name: String
    public var kind: SourceKind
    public var interval: Duration?
    public var jitter: Duration?
    public var timeout: Duration?
    public var maxBytes: Int64?
    /// Keep the bytes of each fetch as proof of publication; nil means the kind's default
    /// (on for statistics, off for feeds).
    public var keepRaw: Bool?
    public var credential: Credential?
    /// The line of its `[[source]]` header, for messages.
    public var line: Int?

    public init(
        name: String, kind: SourceKind, interval: Duration? = nil, jitter: Duration? = nil, timeout: Duration? = nil,
        maxBytes: Int64? = nil, keepRaw: Bool? = nil, credential: Credential? = nil, line: Int? = nil
    ) {
        self.name = name
        self.kind = kind
        self.interval = interval
        self.jitter = jitter
        self.timeout = timeout
        self.maxBytes = maxBytes
        self.keepRaw = keepRaw
        self.credential = credential
        self.line = line
    }

    /// The kind's name as the configuration and the cache spell it.
    public var kindName: String { kind.name }

    public func effectiveInterval(_ daemon: DaemonSettings) -> Duration { interval ?? daemon.interval }
    public func effectiveJitter(_ daemon: DaemonSettings) -> Duration { jitter ?? daemon.jitter }
    public var keepsRaw: Bool { keepRaw ?? !kind.isFeed }
}

/// A secret the source needs, never written in the configuration itself.
public enum Credential: Sendable, Equatable, Codable {
    /// A file name, relative to `$CREDENTIALS_DIRECTORY` (systemd `LoadCredential=`) unless absolute.
    case file(String)
    /// An environment variable.
    case environment(String)
}

/// What a source is and the keys of its kind.
public enum SourceKind: Sendable, Equatable, Codable {
    case feed(FeedSource)
    case comtrade(ComtradeSource)
    case sdmx(SDMXSource)
    case csv(CSVSource)

    public var name: String {
        switch self {
        case .feed: "feed"
        case .comtrade: "comtrade"
        case .sdmx: "sdmx"
        case .csv: "csv"
        }
    }

    public var isFeed: Bool {
        if case .feed = self { return true }
        return false
    }
}

/// `kind = "feed"`: an RSS, Atom or JSON Feed document.
public struct FeedSource: Sendable, Equatable, Codable {
    public var url: String
    public init(url: String) { self.url = url }
}

/// `kind = "comtrade"`: the UN Comtrade API v1.
public struct ComtradeSource: Sendable, Equatable, Codable {
    public var baseURL: String = "https://comtradeapi.un.org"
    /// `C` commodities or `S` services.
    public var typeCode: String = "C"
    /// `A` annual or `M` monthly.
    public var frequency: String = "M"
    /// `HS`, `H5`, `S4`, `EB`…
    public var classification: String = "HS"
    public var reporters: [String] = []
    public var partners: [String] = []
    public var partners2: [String] = []
    /// Periods as Comtrade writes them: `2019` or `201906`.
    public var periods: [String] = []
    public var commodities: [String] = []
    public var flows: [String] = []
    public var customsCodes: [String] = []
    public var transportModes: [String] = []
    /// The keyless preview endpoint (at most 500 records a call).
    public var preview: Bool = false
    /// The most periods one call asks for; longer lists are split.
    public var periodsPerCall: Int = 12
    /// Fetch the API's public reference lists (areas, flows, HS names…) for labels, weekly.
    public var referenceData: Bool = true
    /// Where the reference files are; nil means `BASE_URL/files/v1/app/reference`.
    public var referenceURL: String?

    public init() {}
}

/// `kind = "sdmx"`: an SDMX REST data query.
public struct SDMXSource: Sendable, Equatable, Codable {
    public enum API: String, Sendable, Equatable, Codable {
        case v2_1 = "2.1"
        case v3_0 = "3.0"
    }

    public enum Format: String, Sendable, Equatable, Codable {
        case ml = "sdmx-ml"
        case json = "sdmx-json"
    }

    /// A complete query URL as the publisher documents it; when set, the parts below are unused.
    public var url: String?
    public var baseURL: String?
    /// `AGENCY,ID,VERSION`, or just `ID`.
    public var flow: String?
    /// The series key filter, e.g. `M.CN.TMG_CIF_USD.KP`; empty means all.
    public var key: String = ""
    public var api: API = .v2_1
    public var format: Format = .ml
    public var startPeriod: String?
    public var endPeriod: String?
    /// Ask only for what changed since the last successful pull (`updatedAfter`) and apply it
    /// as a delta.
    public var incremental: Bool = false
    /// Fetch the dataflow's structure (its codelists give the codes' names), at most daily.
    public var structure: Bool = true
    /// Where the structure is, when the service keeps it elsewhere than `BASE/dataflow/…`.
    public var structureURL: String?

    public init() {}
}

/// `kind = "csv"`: a CSV file from a statistics office, read through a column mapping.
public struct CSVSource: Sendable, Equatable, Codable {
    public var url: String
    public var dataset: String
    public var delimiter: UInt8 = UInt8(ascii: ",")
    public var header: Bool = true
    /// Lines to skip before the header (titles some offices put above the table).
    public var skipLines: Int = 0
    /// Columns whose values make the series key, in key order, each with the dimension id it
    /// becomes (the column name unless renamed).
    public var dimensions: [Column] = []
    public var period: String = "PERIOD"
    public var value: String = "VALUE"
    public var flags: String?
    public var unit: String?
    /// Remaining columns kept as attributes.
    public var attributes: [Column] = []
    /// Columns that name a dimension's codes (`labels = { CMD = "HS description" }`), each
    /// with the dimension id it labels, sorted by id; never kept as attributes.
    public var labels: [Column] = []
    /// `.` or `,`.
    public var decimalSeparator: UInt8 = UInt8(ascii: ".")
    /// Grouping character removed from numbers (`,`, `.`, ` `), or none.
    public var thousandsSeparator: UInt8?
    /// `utf-8` or any name libxml2/iconv knows (`windows-1252`, `gbk`…).
    public var encoding: String = "utf-8"

    public struct Column: Sendable, Equatable, Codable {
        public var column: String
        public var id: String
        public init(column: String, id: String) {
            self.column = column
            self.id = id
        }
    }

    public init(url: String, dataset: String) {
        self.url = url
        self.dataset = dataset
    }
}
