#if canImport(Glibc)
import Glibc
#endif
public import Foundation
import TradeWatchModel

/// What a completed transfer brought back.
public struct FetchResponse: Sendable {
    public var status: Int
    /// The URL asked for, secrets redacted.
    public var requestedURL: String
    /// The URL the body came from after redirects, secrets redacted.
    public var effectiveURL: String
    public var redirects: Int
    /// Where the request was permanently (301/308) redirected, when every redirect up to
    /// there was permanent: the URL to use from now on. Secrets redacted only in `description`.
    public var permanentRedirect: String?
    public var headers: HTTPHeaders
    public var body: FetchBody
    public var duration: Duration
    /// Bytes received from the network for the body (before decompression) and headers.
    public var bytesOnWire: Int64

    public var notModified: Bool { status == 304 }
    public var etag: String? { headers["etag"] }
    public var lastModified: String? { headers["last-modified"] }
    public var contentType: String? { headers["content-type"] }

    /// The `charset` parameter of Content-Type, lowercased.
    public var charset: String? { ContentType.charset(of: contentType)?.lowercased() }
}

/// Response headers of the final response; names compared case-insensitively. A repeated
/// header keeps every value, joined with ", " on lookup.
public struct HTTPHeaders: Sendable, Sequence {
    private var fields: [(name: String, value: String)] = []

    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
    }

    public subscript(name: String) -> String? {
        let lower = name.lowercased()
        let values = fields.filter { $0.name.lowercased() == lower }.map(\.value)
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }

    mutating func append(name: String, value: String) { fields.append((name, value)) }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }
}

/// A body held in memory or, past the configured threshold, in a temporary file that is
/// removed when the last copy of the body goes away.
public enum FetchBody: Sendable {
    case memory(Data)
    case file(TemporaryFile)

    public var count: Int64 {
        switch self {
        case .memory(let data): return Int64(data.count)
        case .file(let file): return file.size
        }
    }

    /// The whole body in memory. For a large spilled body prefer `withChunks`.
    public func data() throws -> Data {
        switch self {
        case .memory(let data): return data
        case .file(let file): return try Data(contentsOf: URL(fileURLWithPath: file.path))
        }
    }

    /// The first `count` bytes (fewer when the body is shorter), read without the rest.
    public func prefix(_ count: Int) throws -> Data {
        switch self {
        case .memory(let data): return data.prefix(count)
        case .file(let file):
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: file.path))
            defer { try? handle.close() }
            return try handle.read(upToCount: count) ?? Data()
        }
    }

    /// Feeds the body to `body` in pieces of at most `chunkSize` bytes, never holding all of it.
    public func withChunks(chunkSize: Int = 1 << 20, _ body: (Data) throws -> Void) throws {
        switch self {
        case .memory(let data):
            var offset = 0
            while offset < data.count {
                let end = min(offset + chunkSize, data.count)
                try body(data.subdata(in: offset..<end))
                offset = end
            }
        case .file(let file):
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: file.path))
            defer { try? handle.close() }
            while let chunk = try handle.read(upToCount: chunkSize), !chunk.isEmpty { try body(chunk) }
        }
    }
}

/// A file the fetcher spilled a body into; deleted when no longer referenced.
public final class TemporaryFile: Sendable {
    public let path: String
    public let size: Int64

    init(path: String, size: Int64) {
        self.path = path
        self.size = size
    }

    deinit { unlink(path) }
}
