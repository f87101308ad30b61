/// Why a fetch failed. `code` is stable (logs, the cache and `--json` output use it);
/// `message` is one sentence for people. URLs inside are already redacted.
public struct FetchError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        case invalidURL = "invalid-url"
        case dns
        case connect
        case tls
        case timeout
        case tooLarge = "too-large"
        case tooManyRedirects = "too-many-redirects"
        case protocolNotAllowed = "protocol-not-allowed"
        case httpStatus = "http-status"
        case rateLimited = "rate-limited"
        case aborted
        case io
    }

    public var code: Code
    public var message: String
    public var url: String
    /// libcurl's result code and its message, when libcurl failed.
    public var curlCode: Int?
    public var httpStatus: Int?
    /// For `rate-limited`: how long the server asked us to wait.
    public var retryAfter: Duration?

    public init(
        _ code: Code, _ message: String, url: String, curlCode: Int? = nil, httpStatus: Int? = nil,
        retryAfter: Duration? = nil
    ) {
        self.code = code
        self.message = message
        self.url = url
        self.curlCode = curlCode
        self.httpStatus = httpStatus
        self.retryAfter = retryAfter
    }

    public var description: String { "\(code.rawValue): \(message) (\(url))" }
}
