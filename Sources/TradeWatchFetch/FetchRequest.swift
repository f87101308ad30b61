import TradeWatchModel

/// One HTTP GET and the limits it runs under.
public struct FetchRequest: Sendable {
    public var url: String
    /// Extra request headers, sent as given.
    public var headers: [(name: String, value: String)]
    /// Validators from the last successful fetch, for a conditional GET.
    public var etag: String?
    public var lastModified: String?
    public var limits: FetchLimits
    /// Values that must never appear in errors or logs (API keys sent in the URL).
    public var secrets: [String]

    public init(
        url: String, headers: [(name: String, value: String)] = [], etag: String? = nil, lastModified: String? = nil,
        limits: FetchLimits = FetchLimits(), secrets: [String] = []
    ) {
        self.url = url
        self.headers = headers
        self.etag = etag
        self.lastModified = lastModified
        self.limits = limits
        self.secrets = secrets
    }
}

/// Bounds on one transfer. The defaults suit a statistics download on a slow server.
public struct FetchLimits: Sendable, Hashable {
    public var connectTimeout: Duration
    /// The whole transfer, redirects included.
    public var totalTimeout: Duration
    /// Abort when fewer than `lowSpeedBytesPerSecond` arrive over `lowSpeedWindow`.
    public var lowSpeedBytesPerSecond: Int
    public var lowSpeedWindow: Duration
    /// The largest body accepted, counted after decompression.
    public var maxBytes: Int64
    public var maxRedirects: Int

    public init(
        connectTimeout: Duration = .seconds(15), totalTimeout: Duration = .seconds(300),
        lowSpeedBytesPerSecond: Int = 100, lowSpeedWindow: Duration = .seconds(30), maxBytes: Int64 = 256 << 20,
        maxRedirects: Int = 10
    ) {
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.lowSpeedBytesPerSecond = lowSpeedBytesPerSecond
        self.lowSpeedWindow = lowSpeedWindow
        self.maxBytes = maxBytes
        self.maxRedirects = maxRedirects
    }
}

/// How the fetcher behaves as a whole.
public struct FetchConfiguration: Sendable {
    /// Transfers in flight at once, over all hosts.
    public var maxConcurrent: Int
    /// Transfers in flight at once to one host (scheme, name and port).
    public var maxPerHost: Int
    /// Appended to the User-Agent, e.g. `+https://example.org/contact` or an e-mail address.
    public var contact: String?
    /// Bodies larger than this go to a temporary file instead of memory.
    public var memoryThreshold: Int
    /// Where spilled bodies go.
    public var temporaryDirectory: String

    public init(
        maxConcurrent: Int = 16, maxPerHost: Int = 4, contact: String? = nil, memoryThreshold: Int = 8 << 20,
        temporaryDirectory: String? = nil
    ) {
        self.maxConcurrent = max(1, maxConcurrent)
        self.maxPerHost = max(1, maxPerHost)
        self.contact = contact
        self.memoryThreshold = memoryThreshold
        self.temporaryDirectory = temporaryDirectory ?? FetchConfiguration.defaultTemporaryDirectory
    }

    static var defaultTemporaryDirectory: String {
        let environment = ProcessEnvironment.value("TMPDIR")
        return (environment?.isEmpty == false ? environment : nil) ?? "/tmp"
    }

    /// `tradewatch/<version> (+contact)`.
    public var userAgent: String {
        if let contact, !contact.isEmpty { return "\(TradeWatch.userAgentProduct) (+\(contact))" }
        return TradeWatch.userAgentProduct
    }
}
