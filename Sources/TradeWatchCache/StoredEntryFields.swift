import Foundation
import TradeWatchModel

/// An entry as its columns hold it: dates as RFC 3339 text, lists as JSON.
struct StoredEntryFields {
    private struct Extra: Codable, Equatable {
        var links: [Entry.Link]?
        var enclosures: [Entry.Link]?
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
            enclosures: entry.enclosures.isEmpty ? nil : entry.enclosures)
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
    }

    var hashedFields: [String?] {
        [guid, title, link, published, updated, authors, summary, content, categories, extra]
    }

    func entry(key: String) -> Entry {
        let decoder = JSONDecoder()
        func decode<T: Decodable>(_ type: T.Type, _ text: String?) -> T? {
            guard let text, let data = text.data(using: .utf8) else { return nil }
            return try? decoder.decode(type, from: data)
        }
        let extra = decode(Extra.self, extra)
        return Entry(
            key: key, id: guid, title: title, link: link, links: extra?.links ?? [],
            published: published.flatMap(Timestamp.parse), updated: updated.flatMap(Timestamp.parse),
            authors: decode([Entry.Author].self, authors) ?? [], summary: summary, content: content,
            categories: decode([String].self, categories) ?? [], enclosures: extra?.enclosures ?? [])
    }

    /// Text for the full-text index: the summary and content with markup removed.
    var searchBody: String {
        [summary, content].compactMap { $0.map(PlainText.strippingMarkup) }.joined(separator: "\n")
    }

    private static func json<T: Encodable>(_ value: T) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Markup removal good enough for a search index: tags dropped, common entities decoded,
/// runs of whitespace collapsed. The feed parsers produce the proper plain text for display.
enum PlainText {
    static func strippingMarkup(_ html: String) -> String {
        var out = ""
        out.reserveCapacity(html.utf8.count)
        var inTag = false
        var lastWasSpace = true
        for character in html {
            if inTag {
                if character == ">" { inTag = false }
                continue
            }
            if character == "<" {
                inTag = true
                if !lastWasSpace {
                    out.append(" ")
                    lastWasSpace = true
                }
                continue
            }
            if character.isWhitespace {
                if !lastWasSpace { out.append(" ") }
                lastWasSpace = true
            } else {
                out.append(character)
                lastWasSpace = false
            }
        }
        for (entity, text) in [
            ("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&"),
        ]
        where out.contains(entity) {
            out = out.replacingOccurrences(of: entity, with: text)
        }
        return out.trimmingCharacters(in: .whitespaces)
    }
}
