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
        return type == .text ? text.split(whereSeparator: \.isWhitespace).joined(separator: " ") : text
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
