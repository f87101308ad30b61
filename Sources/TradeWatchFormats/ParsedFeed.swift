public import Foundation
public import TradeWatchModel

/// A news feed read from bytes: its format, how well-formed it was, the channel's details and
/// its entries, normalized whatever the format.
public struct ParsedFeed: Sendable {
    public enum Format: String, Sendable {
        case rss090 = "rss0.90"
        case rss091 = "rss0.91"
        case rss092 = "rss0.92"
        case rss093 = "rss0.93"
        case rss094 = "rss0.94"
        case rss20 = "rss2.0"
        case rss10 = "rss1.0"
        case atom03 = "atom0.3"
        case atom10 = "atom1.0"
        case jsonFeed10 = "jsonfeed1.0"
        case jsonFeed11 = "jsonfeed1.1"
    }

    /// The channel: what the feed says about itself.
    public struct Info: Sendable, Hashable {
        public var title: String?
        public var link: String?
        public var description: String?
        public var language: String?
        public var updated: Date?
        public var ttl: Int?
        public var image: String?
    }

    public var format: Format
    /// The encoding the bytes were read in, when known.
    public var encoding: String?
    public var wellFormed: Bool
    public var warnings: [String]
    public var feed: Info
    public var entries: [Entry]
}

/// Why bytes could not be read as a feed.
public struct FeedError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The bytes are something else: an HTML page, plain text, an unknown XML vocabulary.
        case notAFeed = "not-a-feed"
        /// JSON that is not a JSON Feed, or a document too broken to recover anything from.
        case malformed
    }

    public var code: Code
    public var message: String

    public var description: String { "\(code.rawValue): \(message)" }
}
