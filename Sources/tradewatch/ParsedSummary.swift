import Foundation
import TradeWatchFormats
import TradeWatchModel

/// `inspect --json`'s `parsed` object for a feed. Field names are part of tradewatch's
/// interface (see the README); dates are RFC 3339 UTC strings.
struct ParsedSummary: Encodable {
    struct Info: Encodable {
        var title: String?
        var link: String?
        var description: String?
        var language: String?
        var updated: String?
        var ttl: Int?
        var image: String?
    }

    struct Link: Encodable {
        var href: String
        var rel: String?
        var type: String?
        var length: Int64?
    }

    struct Author: Encodable {
        var name: String?
        var email: String?
        var uri: String?
    }

    struct Item: Encodable {
        var id: String?
        var key: String
        /// As published: text, or markup when `titleType` is `html`. A field's type is given
        /// when the field is.
        var title: String?
        var titleType: TextType?
        var link: String?
        var links: [Link]
        var published: String?
        var updated: String?
        var authors: [Author]
        var summary: String?
        var summaryType: TextType?
        var content: String?
        var contentType: TextType?
        var categories: [String]
        var enclosures: [Link]
    }

    var kind = "feed"
    var format: String
    var encoding: String?
    var wellFormed: Bool
    var warnings: [String]
    var feed: Info
    var entries: [Item]

    init(_ parsed: ParsedFeed) {
        format = parsed.format.rawValue
        encoding = parsed.encoding
        wellFormed = parsed.wellFormed
        warnings = parsed.warnings
        let info = parsed.feed
        feed = Info(
            title: info.title, link: info.link, description: info.description, language: info.language,
            updated: info.updated.map(Self.date), ttl: info.ttl, image: info.image)
        entries = parsed.entries.map { entry in
            Item(
                id: entry.id, key: entry.key, title: entry.title, titleType: entry.title == nil ? nil : entry.titleType,
                link: entry.link,
                links: entry.links.map(Self.link),
                published: entry.published.map(Self.date), updated: entry.updated.map(Self.date),
                authors: entry.authors.map { Author(name: $0.name, email: $0.email, uri: $0.uri) },
                summary: entry.summary, summaryType: entry.summary == nil ? nil : entry.summaryType,
                content: entry.content,
                contentType: entry.content == nil ? nil : entry.contentType, categories: entry.categories,
                enclosures: entry.enclosures.map(Self.link))
        }
    }

    /// RFC 3339 in UTC, seconds only unless the date has a fraction.
    static func date(_ date: Date) -> String {
        let text = Timestamp.format(date)
        return text.hasSuffix(".000Z") ? String(text.dropLast(5)) + "Z" : text
    }

    static func link(_ link: Entry.Link) -> Link {
        Link(href: link.href, rel: link.rel, type: link.type, length: link.length)
    }
}
