public import Foundation

/// One news item, normalized from RSS, Atom or JSON Feed.
///
/// `key` is its identity inside its source: the feed's own id when there is one, otherwise
/// the link, otherwise a hash of title and date. Every other field is content that an edit
/// can change. `title`, `summary` and `content` are kept as published: plain text as its
/// decoded text, markup as markup; `titleType`, `summaryType` and `contentType` say which
/// (by default a title is text, a summary and a content HTML).
public struct Entry: Hashable, Sendable, Codable {
    public struct Author: Hashable, Sendable, Codable {
        public var name: String?
        public var email: String?
        public var uri: String?

        public init(name: String? = nil, email: String? = nil, uri: String? = nil) {
            self.name = name
            self.email = email
            self.uri = uri
        }
    }

    public struct Link: Hashable, Sendable, Codable {
        public var href: String
        public var rel: String?
        public var type: String?
        public var length: Int64?

        public init(href: String, rel: String? = nil, type: String? = nil, length: Int64? = nil) {
            self.href = href
            self.rel = rel
            self.type = type
            self.length = length
        }
    }

    public var key: String
    public var id: String?
    public var title: String?
    public var link: String?
    public var links: [Link]
    public var published: Date?
    public var updated: Date?
    public var authors: [Author]
    public var summary: String?
    public var content: String?
    /// Category terms, as published (Atom's `term`, RSS `category` text).
    public var categories: [String]
    /// Labels some categories carry (Atom's `label`), by term; only those that differ.
    public var categoryLabels: [String: String]
    public var enclosures: [Link]
    public var titleType: TextType
    public var summaryType: TextType
    public var contentType: TextType

    public init(
        key: String, id: String? = nil, title: String? = nil, link: String? = nil, links: [Link] = [],
        published: Date? = nil, updated: Date? = nil, authors: [Author] = [], summary: String? = nil,
        content: String? = nil, categories: [String] = [], categoryLabels: [String: String] = [:],
        enclosures: [Link] = [], titleType: TextType = .text, summaryType: TextType = .html,
        contentType: TextType = .html
    ) {
        self.key = key
        self.id = id
        self.title = title
        self.link = link
        self.links = links
        self.published = published
        self.updated = updated
        self.authors = authors
        self.summary = summary
        self.content = content
        self.categories = categories
        self.categoryLabels = categoryLabels
        self.enclosures = enclosures
        self.titleType = titleType
        self.summaryType = summaryType
        self.contentType = contentType
    }
}
