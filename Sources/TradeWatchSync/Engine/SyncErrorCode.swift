public import TradeWatchFetch
public import TradeWatchFormats

/// Why a sync failed: the code stored with the fetch (`fetch.error_code`) and on the source
/// (`last_error_code`), printed by `status`, `--once`, `sync --wait` and `--json`. The raw
/// values are a stable interface, documented in the README: a code is never renamed, and a
/// new one is added here with its meaning.
///
/// Every failure is retried at the source's next due time: `retry_base` doubled per failure
/// in a row, capped by `retry_cap` and by the source's interval. A code whose cause will not
/// go away by itself (a configuration or credential problem) is retried all the same, so that
/// fixing it needs no restart.
///
/// The lower layers' codes are wrapped with the same raw values (`init(_:)` from
/// `FetchError.Code`, `FeedError.Code`, `StatisticsError.Code`).
public enum SyncErrorCode: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    // MARK: The engine's own

    /// The source's configuration makes no request (e.g. an empty period list). Retried.
    case config
    /// The key (`key_env`, `key_file`) is missing, unreadable or empty. Retried.
    case credential
    /// The payload could not be read, for a reason the parser did not classify. Retried.
    case parse
    /// The cache refused the pull's write (disk full, an I/O error). Retried.
    case cache
    /// An error no layer classified (a bug to report). Retried.
    case `internal`
    /// The daemon stopped during the sync (`sync --wait` hears it), or libcurl aborted the
    /// transfer. A shutdown is not counted as the source's failure: its due time stays, so
    /// the next start syncs it. Retried.
    case aborted
    /// A statistics source answered with another format (an HTML page, a feed). Retried.
    case unexpectedFormat = "unexpected-format"

    // MARK: Reading the payload (`FeedError.Code`, `StatisticsError.Code`)

    /// A feed source answered with something that is not RSS, Atom or a JSON Feed (a login
    /// page, plain text). Retried.
    case notAFeed = "not-a-feed"
    /// The payload is broken or not the format expected. Retried.
    case malformed
    /// The publisher answered with an error message instead of data. Retried.
    case publisherError = "publisher-error"
    /// The data is not ready yet (Eurostat's asynchronous answer). Retried after 5 minutes at the soonest.
    case notReady = "not-ready"
    /// Valid syntax with a value that cannot be right (a period in the wrong format). Retried.
    case invalidValue = "invalid-value"

    // MARK: Fetching (`FetchError.Code`)

    /// The URL is malformed or not an absolute http(s) URL. Retried.
    case invalidURL = "invalid-url"
    /// The host name did not resolve. Retried.
    case dns
    /// The server refused the connection or cannot be reached. Retried.
    case connect
    /// The TLS handshake or the certificate check failed. Retried.
    case tls
    /// No answer within `connect_timeout`, or the transfer took longer than `timeout`. Retried.
    case timeout
    /// The body is (or grew, decompressed) larger than `max_bytes`. Retried.
    case tooLarge = "too-large"
    /// More redirects than the fetcher follows (a loop). Retried.
    case tooManyRedirects = "too-many-redirects"
    /// A URL or redirect to a scheme other than http or https (`file:`, `ftp:`). Retried.
    case protocolNotAllowed = "protocol-not-allowed"
    /// The server answered with an HTTP error status (4xx, 5xx); the message quotes its body. Retried.
    case httpStatus = "http-status"
    /// The server answered 429, or 503 with `Retry-After`. Retried no sooner than it asked (at most a week).
    case rateLimited = "rate-limited"
    /// The connection broke off, or keeping the body failed (spilling it to disk). Retried.
    case io

    /// The same code one layer up.
    public init(_ fetch: FetchError.Code) {
        switch fetch {
        case .invalidURL: self = .invalidURL
        case .dns: self = .dns
        case .connect: self = .connect
        case .tls: self = .tls
        case .timeout: self = .timeout
        case .tooLarge: self = .tooLarge
        case .tooManyRedirects: self = .tooManyRedirects
        case .protocolNotAllowed: self = .protocolNotAllowed
        case .httpStatus: self = .httpStatus
        case .rateLimited: self = .rateLimited
        case .aborted: self = .aborted
        case .io: self = .io
        }
    }

    /// The same code one layer up.
    public init(_ feed: FeedError.Code) {
        switch feed {
        case .notAFeed: self = .notAFeed
        case .malformed: self = .malformed
        }
    }

    /// The same code one layer up.
    public init(_ statistics: StatisticsError.Code) {
        switch statistics {
        case .malformed: self = .malformed
        case .publisherError: self = .publisherError
        case .notReady: self = .notReady
        case .invalidValue: self = .invalidValue
        }
    }

    /// The raw value, so that interpolating a code prints what is stored.
    public var description: String { rawValue }
}
