import Foundation

/// What the feed handler decides from a value alone, apart from the reading state: base64
/// content, Atom's xhtml wrapper, links with nothing to resolve.
extension FeedXMLHandler {
    /// Atom 0.3 says `mode="base64"`; Atom 1.0 says so with a media type that is neither text
    /// nor XML (RFC 4287, 3.1.1 and 4.1.3.3).
    static func isBase64(type: String?, mode: String?) -> Bool {
        if let mode { return mode.lowercased() == "base64" }
        guard let type = type?.lowercased(), type.contains("/") else { return false }
        return !(type.hasPrefix("text/") || type.hasSuffix("+xml") || type.hasSuffix("/xml"))
    }

    /// Atom xhtml content sits in one `div` that is not part of it (RFC 4287, 3.1.1.3).
    static func unwrappingDiv(_ markup: String) -> String {
        let trimmed = markup.trimmingXMLWhitespace
        guard trimmed.hasPrefix("<div"), trimmed.hasSuffix("</div>"),
            let open = trimmed.firstIndex(of: ">"),
            let close = trimmed.index(trimmed.endIndex, offsetBy: -6, limitedBy: trimmed.startIndex),
            open < close
        else { return markup }
        let inner = trimmed[trimmed.index(after: open)..<close]
        // Only when that div is the one wrapper, not the first of several siblings.
        let depthCheck = inner.components(separatedBy: "<div").count == inner.components(separatedBy: "</div>").count
        return depthCheck ? String(inner) : markup
    }

    /// An `http:` or `https:` URL of printable ASCII with nothing to resolve or escape: no
    /// dot segments, spaces, quotes, angle brackets, backslashes or other unsafe bytes.
    static func isPlainAbsolute(_ text: String) -> Bool {
        let bytes = text.utf8
        guard bytes.starts(with: "http://".utf8) || bytes.starts(with: "https://".utf8) else { return false }
        var previous: UInt8 = 0
        for byte in bytes {
            switch byte {
            case 0x21...0x7E:
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\\"),
                    UInt8(ascii: "^"), UInt8(ascii: "`"), UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"):
                    return false
                case UInt8(ascii: ".") where previous == UInt8(ascii: "/"):
                    return false
                default: break
                }
            default: return false
            }
            previous = byte
        }
        return true
    }
}
