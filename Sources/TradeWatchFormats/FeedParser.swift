public import Foundation
import TradeWatchModel

/// Reads RSS 0.90–0.94 and 2.0, RSS 1.0 (RDF), Atom 0.3 and 1.0, and JSON Feed 1.0 and 1.1.
/// Pure: bytes (plus the HTTP Content-Type and the feed's URL) in, a normalized feed out.
public enum FeedParser {
    /// Reads a whole feed held in memory.
    /// - Parameters:
    ///   - contentType: the HTTP Content-Type, whose charset is honoured for XML.
    ///   - url: the feed's URL, against which relative links resolve.
    public static func parse(_ data: Data, contentType: String? = nil, url: String? = nil) throws -> ParsedFeed {
        var entries: [Entry] = []
        let parser = FeedStreamParser(contentType: contentType, url: url) { entries.append($0) }
        parser.feed(data)
        var feed = try parser.finish()
        feed.entries = entries
        return feed
    }

    /// The encoding an XML declaration names, or what a byte order mark says.
    static func declaredEncoding(_ data: Data) -> String? {
        let head = [UInt8](data.prefix(200))
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { return "UTF-8" }
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) { return "UTF-16" }
        let text = String(decoding: head, as: UTF8.self)
        guard let range = text.range(of: "encoding=") else { return head.isEmpty ? nil : "UTF-8" }
        let rest = text[range.upperBound...].dropFirst()
        return String(rest.prefix { $0 != "\"" && $0 != "'" })
    }
}

/// Identity: the feed's own id; else the link; else a hash of title, date and summary. An id
/// that repeats within the document gets `#2`, `#3`... in document order, so no entry is lost.
struct EntryKeys {
    private var seen: [String: Int] = [:]

    mutating func entry(from draft: DraftEntry, warnings: inout [String]) -> Entry {
        var key: String
        if let id = draft.id, !id.isEmpty {
            key = id
        } else if let link = draft.link {
            key = link
        } else {
            let date = (draft.published ?? draft.updated).map(Timestamp.format) ?? ""
            // Made from the title's text and the summary as HTML, the forms these fields were
            // kept in before their type was, so that such an entry keeps its identity.
            let title = draft.title?.text ?? ""
            key = "sha256:" + SHA256.hex(title + "\u{1f}" + date + "\u{1f}" + (draft.summary?.asMarkup ?? ""))
        }
        let count = seen[key, default: 0] + 1
        seen[key] = count
        if count > 1 {
            warnings.append("entry id \"\(key.prefix(80))\" repeats in the document; kept as \(key)#\(count)")
            key += "#\(count)"
        }
        return Entry(
            key: key, id: draft.id, title: draft.title?.value, link: draft.link, links: draft.links,
            published: draft.published, updated: draft.updated, authors: draft.authors, summary: draft.summary?.value,
            content: draft.content?.value, categories: draft.categories, categoryLabels: draft.categoryLabels,
            enclosures: draft.enclosures, titleType: draft.title?.type ?? .text,
            summaryType: draft.summary?.type ?? .html,
            contentType: draft.content?.type ?? .html)
    }
}
