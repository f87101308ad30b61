public import Foundation
public import TradeWatchModel

/// One attempt to fetch a source, as the sync engine saw it. The URL must already have its
/// secrets redacted: the cache stores what it is given.
public struct FetchAttempt: Sendable {
    public var startedAt: Date
    public var url: String
    public var httpStatus: Int?
    public var bytes: Int64?
    public var etag: String?
    public var lastModified: String?
    public var contentType: String?
    /// SHA-256 of the payload as received, when there was one.
    public var payloadSHA256: String?
    public var durationMilliseconds: Int64?
    /// What reading the payload noticed without failing (keys a message repeats, entries a
    /// feed lost to truncation…), stored with the fetch and shown by `status`.
    public var warnings: [String] = []

    public init(
        startedAt: Date, url: String, httpStatus: Int? = nil, bytes: Int64? = nil, etag: String? = nil,
        lastModified: String? = nil, contentType: String? = nil, payloadSHA256: String? = nil,
        durationMilliseconds: Int64? = nil
    ) {
        self.startedAt = startedAt
        self.url = url
        self.httpStatus = httpStatus
        self.bytes = bytes
        self.etag = etag
        self.lastModified = lastModified
        self.contentType = contentType
        self.payloadSHA256 = payloadSHA256
        self.durationMilliseconds = durationMilliseconds
    }
}
