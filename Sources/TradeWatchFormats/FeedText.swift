public import TradeWatchModel

/// How a text element's content is to be read (RFC 4287 3.1; RSS 2.0: titles are text,
/// descriptions HTML).
enum TextKind {
    /// Plain text once XML-decoded: never parsed as markup.
    case text
    /// Escaped HTML (Atom `type="html"`, RSS `description`, `content:encoded`).
    case html
    /// Markup carried as XML elements (Atom `type="xhtml"`); read as markup.
    case xhtml
}

/// A text element's content with how to read it.
struct TextValue {
    var raw: String
    var kind: TextKind

    var isEmpty: Bool { raw.trimmingXMLWhitespace.isEmpty }

    /// The text a reader sees: plain text as it is (trimmed); markup through the HTML reader,
    /// which decodes its entities (`&lt;` stays a `<` character) and collapses whitespace.
    var text: String { published.text }

    /// The content as published, with its type: plain text as its decoded text, markup
    /// (html, or the inner XHTML of an xhtml construct) as markup; trimmed.
    var published: PublishedText {
        PublishedText(value: raw.trimmingXMLWhitespace, type: kind == .text ? .text : .html)
    }
}

/// A field's value as published and how it reads.
struct PublishedText {
    var value: String
    var type: TextType

    /// The text a reader sees (whitespace trimmed): plain text as it is, markup read as HTML.
    var text: String { type.text(of: value) }

    /// The value as HTML that renders to the same text: how fields were kept before their type
    /// was, from which entry keys are made so that an entry keeps its identity.
    var asMarkup: String { type == .text ? MarkupEscape.text(value) : value }
}

extension TextType {
    /// The text a reader sees of a value of this type: plain text as it is; HTML through
    /// `HTMLCleaner.text` (entities decoded, scripts and styles left out, whitespace collapsed).
    public func text(of value: String) -> String {
        text(of: value, readingHTML: HTMLCleaner.text)
    }
}

extension Entry {
    /// The title as a reader sees it (an HTML title read as text).
    public var titleText: String? { title.map { titleType.text(of: $0) } }
    /// The summary as a reader sees it.
    public var summaryText: String? { summary.map { summaryType.text(of: $0) } }
    /// The content as a reader sees it.
    public var contentText: String? { content.map { contentType.text(of: $0) } }
}
