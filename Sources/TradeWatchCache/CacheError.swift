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
        /// The change log of older revisions is still being filled in after an upgrade (the
        /// daemon does it when it starts); the range asked for reaches before it.
        case logIncomplete = "change-log-incomplete"
    }

    /// What the storage engine itself said, when it refused (SQLite's extended result code
    /// and the statement it ran): for logs and bug reports; `code` is what callers act on.
    public struct Underlying: Sendable, Hashable {
        /// The engine's own code, e.g. SQLite's 13 (`SQLITE_FULL`) or 778 (`SQLITE_IOERR_WRITE`).
        public var code: Int32
        /// The engine's words for it, e.g. "database or disk is full".
        public var name: String
        /// The statement that failed, when known (never with its arguments: they may hold data).
        public var statement: String?

        public init(code: Int32, name: String, statement: String?) {
            self.code = code
            self.name = name
            self.statement = statement
        }
    }

    public var code: Code
    public var message: String
    public var path: String?
    public var underlying: Underlying?

    public init(_ code: Code, _ message: String, path: String? = nil, underlying: Underlying? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.underlying = underlying
    }

    public var description: String {
        if let path { return "\(path): \(message)" }
        return message
    }
}
