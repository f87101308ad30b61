import Foundation
import TradeWatchModel

/// An entry as its columns hold it: dates as RFC 3339 text, lists as JSON.
struct StoredEntryFields {
    private struct Extra: Codable, Equatable {
        var links: [Entry.Link]?
        var enclosures: [Entry.Link]?
        var categoryLabels: [String: String]?
        /// A field's type, only where it is not the default (title text, summary and content
        /// HTML): rows stored before types were kept read as they always did.
        var titleType: TextType?
        var summaryType: TextType?
        var contentType: TextType?
    }

    var guid: String?
    var title: String?
    var link: String?
    var published: String?
    var updated: String?
    var authors: String?
    var summary: String?
    var content: String?
    var categories: String?
    var extra: String?
    /// The types `extra` records, read once.
    private(set) var titleType = TextType.text
    private(set) var summaryType = TextType.html
    private(set) var contentType = TextType.html

    init(_ entry: Entry) {
        guid = entry.id
        title = entry.title
        link = entry.link
        published = entry.published.map(Timestamp.format)
        updated = entry.updated.map(Timestamp.format)
        authors = entry.authors.isEmpty ? nil : Self.json(entry.authors)
        summary = entry.summary
        content = entry.content
        categories = entry.categories.isEmpty ? nil : Self.json(entry.categories)
        let extra = Extra(
            links: entry.links.isEmpty ? nil : entry.links,
            enclosures: entry.enclosures.isEmpty ? nil : entry.enclosures,
            categoryLabels: entry.categoryLabels.isEmpty ? nil : entry.categoryLabels,
            titleType: entry.titleType == .text ? nil : entry.titleType,
            summaryType: entry.summaryType == .html ? nil : entry.summaryType,
            contentType: entry.contentType == .html ? nil : entry.contentType)
        titleType = entry.titleType
        summaryType = entry.summaryType
        contentType = entry.contentType
        self.extra = extra == Extra() ? nil : Self.json(extra)
    }

    init(
        guid: String?, title: String?, link: String?, published: String?, updated: String?, authors: String?,
        summary: String?, content: String?, categories: String?, extra: String?
    ) {
        self.guid = guid
        self.title = title
        self.link = link
        self.published = published
        self.updated = updated
        self.authors = authors
        self.summary = summary
        self.content = content
        self.categories = categories
        self.extra = extra
        let types = Self.decode(Extra.self, extra)
        titleType = types?.titleType ?? .text
        summaryType = types?.summaryType ?? .html
        contentType = types?.contentType ?? .html
    }

    /// What the search index holds of the title: the text a reader sees of it. A plain-text
    /// title is its own text: it never goes through a markup reader, which would drop a `<`
    /// and what follows it.
    func searchTitle(readingHTML: (String) -> String) -> String? {
        title.map { Self.searchText($0, titleType, readingHTML) }
    }

    /// What the search index holds of the summary and content, a line apart.
    func searchBody(readingHTML: (String) -> String) -> String {
        [(summary, summaryType), (content, contentType)].compactMap { value, type in
            value.map { Self.searchText($0, type, readingHTML) }
        }.joined(separator: "\n")
    }

    /// A field's text as a reader sees it, with runs of whitespace as one space (the HTML
    /// reader collapses them already).
    private static func searchText(_ value: String, _ type: TextType, _ readingHTML: (String) -> String) -> String {
        let text = type.text(of: value, readingHTML: readingHTML)
        return type == .text ? PlainText.collapsingWhitespace(text) : text
    }

    var hashedFields: [String?] {
        [guid, title, link, published, updated, authors, summary, content, categories, extra]
    }

    func entry(key: String) -> Entry {
        func decode<T: Decodable>(_ type: T.Type, _ text: String?) -> T? { Self.decode(type, text) }
        let extra = decode(Extra.self, extra)
        return Entry(
            key: key, id: guid, title: title, link: link, links: extra?.links ?? [],
            published: published.flatMap(Timestamp.parse), updated: updated.flatMap(Timestamp.parse),
            authors: decode([Entry.Author].self, authors) ?? [], summary: summary, content: content,
            categories: decode([String].self, categories) ?? [], categoryLabels: extra?.categoryLabels ?? [:],
            enclosures: extra?.enclosures ?? [], titleType: titleType, summaryType: summaryType,
            contentType: contentType)
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ text: String?) -> T? {
        guard let text, let data = text.data(using: .utf8) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }

    private static func json<T: Encodable>(_ value: T) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

extension PlainText {
    /// Runs of whitespace as one space, none at the ends; nothing else changes.
    public static func collapsingWhitespace(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

/// Markup removal good enough for a search index: tags dropped, common entities decoded,
/// runs of whitespace collapsed. The feed parsers produce the proper plain text for display.
public enum PlainText {
    private static let entities: [(name: [UInt8], text: [UInt8])] = [
        ("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&"),
    ].map { (Array($0.0.utf8), Array($0.1.utf8)) }

    /// One pass over the UTF-8 bytes (this runs for every stored article version; Foundation's
    /// string searching was most of a first sync's time).
    public static func strippingMarkup(_ html: String) -> String {
        var html = html
        return html.withUTF8 { bytes in
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var inTag = false
            var lastWasSpace = true
            var index = 0
            func space() {
                if !lastWasSpace { out.append(UInt8(ascii: " ")) }
                lastWasSpace = true
            }
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if inTag {
                    if byte == UInt8(ascii: ">") { inTag = false }
                    continue
                }
                switch byte {
                case UInt8(ascii: "<"):
                    inTag = true
                    space()
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), 0x0B, 0x0C:
                    space()
                case 0xC2 where index < bytes.count && bytes[index] == 0xA0:  // U+00A0
                    index += 1
                    space()
                case UInt8(ascii: "&"):
                    let rest = UnsafeBufferPointer(rebasing: bytes[(index - 1)...])
                    if let entity = entities.first(where: { rest.starts(with: $0.name) }) {
                        index += entity.name.count - 1
                        if entity.text == [UInt8(ascii: " ")] {
                            space()
                        } else {
                            out.append(contentsOf: entity.text)
                            lastWasSpace = false
                        }
                    } else {
                        out.append(byte)
                        lastWasSpace = false
                    }
                default:
                    out.append(byte)
                    lastWasSpace = false
                }
            }
            if out.last == UInt8(ascii: " ") { out.removeLast() }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
