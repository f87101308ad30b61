/// How a stored text field reads (RFC 4287 3.1): plain text, never parsed as markup, or HTML
/// (Atom `html` and `xhtml`, RSS `description` and `content:encoded`, JSON Feed
/// `content_html`), kept as the publisher sent it.
public enum TextType: String, Hashable, Sendable, Codable {
    case text
    case html

    /// The text a reader sees of a value of this type: plain text is that text, character for
    /// character; HTML goes through `readingHTML` (the feed parser's HTML-to-text). The one
    /// derivation of display and search text from a stored field.
    public func text(of value: String, readingHTML: (String) -> String) -> String {
        switch self {
        case .text: value
        case .html: readingHTML(value)
        }
    }
}
