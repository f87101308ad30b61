/// A failure of the cache, with a stable code and what it concerns.
public struct CacheError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        /// The file cannot be opened or is not a tradewatch cache.
        case open = "cache-open"
        /// A read-only open found a cache written by a newer tradewatch.
        case schema = "cache-schema"
        /// A name (source, revision, timestamp) does not exist in the cache.
        case notFound = "not-found"
        /// An argument the caller gave makes no sense (e.g. a reversed range).
        case invalidArgument = "invalid-argument"
        /// SQLite reported a failure (disk full, I/O error...).
        case database = "database"
        /// An integrity check found the file damaged; the daemon stopped writing to it.
        case damaged = "cache-damaged"
    }

    public var code: Code
    public var message: String
    public var path: String?

    public init(_ code: Code, _ message: String, path: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
    }

    public var description: String {
        if let path { return "\(path): \(message)" }
        return message
    }
}
