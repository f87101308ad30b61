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

/// What a fetch amounted to, as the sync engine hands it to the cache.
public enum FetchResult: Sendable {
    /// The fetch or the parse failed; the cache keeps the error and touches no data.
    case failed(code: String, message: String)
    /// HTTP 304: the server says nothing changed.
    case notModified
    /// The payload hashed the same as the last one; not parsed again.
    case samePayload
    /// A parsed pull to reconcile; it may still change nothing.
    case parsed(Pull)
    /// The same, with its entries prepared before the write (see `PreparedPull`).
    case prepared(PreparedPull)
}

extension FetchResult {
    var isNotModified: Bool {
        if case .notModified = self { return true }
        return false
    }
}

/// Receives one pull's records inside the recording transaction; see `SQLiteCache.recordPull`.
/// Valid only while the `produce` closure runs.
public final class PullSink {
    private let observations: ObservationReconciler
    private(set) var entries: [Entry] = []

    init(observations: ObservationReconciler) {
        self.observations = observations
    }

    /// One observation; a key the pull repeats keeps its last occurrence.
    public func add(_ observation: Observation) throws { try observations.add(observation) }

    /// A deletion named by a delta pull (SDMX `action="Delete"`).
    public func delete(_ key: ObservationKey) throws { try observations.delete(key) }

    /// One feed entry. Entries are few and kept until the pull ends.
    public func add(_ entry: Entry) { entries.append(entry) }

    /// Something the parser noticed without failing; recorded with the fetch.
    public func warn(_ message: String) { warnings.append(message) }
    private(set) var warnings: [String] = []
}

/// The bytes a server sent, to keep as proof of what was published. They are handed over in
/// chunks and compressed as they come, so a body spilled to disk is never held whole.
public struct RawPayload: Sendable {
    /// Size of the body as sent, in bytes.
    public var size: Int
    public var contentType: String?
    /// How many of this source's most recent payloads to keep.
    public var keep: Int
    /// True when the body quoted a secret and the copy kept has it replaced.
    public var redacted = false
    /// Hands the body to its argument in chunks, from the start, each time it is called.
    let chunks: @Sendable (_ consume: (Data) throws -> Void) throws -> Void

    public init(data: Data, contentType: String?, keep: Int) {
        self.init(size: data.count, contentType: contentType, keep: keep) { try $0(data) }
    }

    public init(
        size: Int, contentType: String?, keep: Int,
        chunks: @escaping @Sendable (_ consume: (Data) throws -> Void) throws -> Void
    ) {
        self.size = size
        self.contentType = contentType
        self.keep = keep
        self.chunks = chunks
    }
}

/// How the cache recorded one fetch.
public struct FetchRecord: Sendable {
    public enum Outcome: String, Sendable, Codable {
        case changed
        case unchanged
        case notModified = "not-modified"
        case failed
    }

    public var fetchID: Int64
    public var outcome: Outcome
    /// The revision the fetch created, when it changed anything.
    public var revision: RevisionSummary?
    /// The warnings recorded with the fetch.
    public var warnings: [String] = []
}

/// One revision: a fetch that changed something, with how much it changed.
public struct RevisionSummary: Sendable, Hashable, Codable {
    public var id: Int64
    public var source: String
    public var fetchID: Int64?
    public var createdAt: Date
    public var added: Int
    public var changed: Int
    public var removed: Int

    public init(
        id: Int64, source: String, fetchID: Int64?, createdAt: Date, added: Int, changed: Int, removed: Int
    ) {
        self.id = id
        self.source = source
        self.fetchID = fetchID
        self.createdAt = createdAt
        self.added = added
        self.changed = changed
        self.removed = removed
    }
}
