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
    var text: String {
        kind == .text ? raw.trimmingXMLWhitespace : HTMLCleaner.text(raw)
    }

    /// The content as HTML: markup as published; plain text escaped, so that rendering it
    /// gives back exactly the published text.
    var markup: String {
        let trimmed = raw.trimmingXMLWhitespace
        return kind == .text ? MarkupEscape.text(trimmed) : trimmed
    }
}
