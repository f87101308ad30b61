import CLibXML2
import Foundation

/// Feed HTML made safe to show, and made into text to search and print.
///
/// Content is stored as published; these are derived from it. The sanitized form keeps an
/// allowlist of tags and attributes, drops scripts, styles, event handlers and `javascript:`
/// URLs, and resolves relative URLs against the entry's base. The text form keeps words and
/// paragraph breaks only. Both come from one pass of libxml2's HTML parser, which knows HTML's
/// entities and recovers from the markup feeds really contain.
public enum HTMLCleaner {
    public struct Result: Sendable, Hashable {
        public var sanitized: String
        public var text: String
    }

    /// The text a reader sees of `html` (for the search index and the terminal). Text with no
    /// markup and no entity skips the HTML parser.
    public static func text(_ html: String) -> String {
        guard html.utf8.contains(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: "&") }) else {
            return collapsingWhitespace(html)
        }
        return clean(html).text
    }

    /// Runs of ASCII whitespace as one space, none at the ends; the string itself when it has
    /// nothing to collapse (the usual case: no copy).
    static func collapsingWhitespace(_ text: String) -> String {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D }
        var clean = true
        var previousSpace = true
        for byte in text.utf8 {
            let space = isSpace(byte)
            if space && (previousSpace || byte != 0x20) {
                clean = false
                break
            }
            previousSpace = space
        }
        if clean && !previousSpace { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for byte in text.utf8 {
            if isSpace(byte) {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(0x20) }
            pendingSpace = false
            out.append(byte)
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func clean(_ html: String, base: String? = nil) -> Result {
        let builder = Builder(base: base.flatMap { URL(string: $0) })
        var sax = htmlSAXHandler()
        sax.startElement = htmlStart
        sax.endElement = htmlEnd
        sax.characters = htmlCharacters
        sax.cdataBlock = htmlCharacters
        let me = Unmanaged.passUnretained(builder).toOpaque()
        // Wrapped so that libxml2 sees one fragment in a body, in UTF-8.
        let document = "<html><body>" + html + "</body></html>"
        withExtendedLifetime(builder) {
            let context = withUnsafeMutablePointer(to: &sax) { handler in
                htmlCreatePushParserCtxt(handler, me, nil, 0, nil, XML_CHAR_ENCODING_UTF8)
            }
            guard let context else { return }
            htmlCtxtUseOptions(
                context,
                Int32(
                    HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue
                        | HTML_PARSE_NOWARNING.rawValue))
            var bytes = Array(document.utf8)
            bytes.withUnsafeMutableBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { all in
                    // In pieces whose length fits libxml2's Int32 whatever the content's size.
                    var start = 0
                    repeat {
                        let end = min(all.count, start + 1 << 20)
                        let piece = UnsafeMutableBufferPointer(rebasing: all[start..<end])
                        _ = htmlParseChunk(context, piece.baseAddress, Int32(piece.count), end == all.count ? 1 : 0)
                        start = end
                    } while start < all.count
                }
            }
            if let doc = context.pointee.myDoc { xmlFreeDoc(doc) }
            htmlFreeParserCtxt(context)
        }
        return Result(sanitized: builder.sanitized, text: builder.plainText)
    }

    static let allowedTags: Set<String> = [
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div", "dl", "dt", "em",
        "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "ol", "p", "pre",
        "q", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u",
        "ul",
    ]
    static let allowedAttributes: [String: Set<String>] = [
        "a": ["href", "title"], "img": ["src", "alt", "title", "width", "height"], "td": ["colspan", "rowspan"],
        "th": ["colspan", "rowspan"], "blockquote": ["cite"], "q": ["cite"], "abbr": ["title"],
    ]
    static let urlAttributes: Set<String> = ["href", "src", "cite"]
    /// Elements whose content is dropped along with them.
    static let droppedWithContent: Set<String> = [
        "script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math", "head", "title",
        "form", "select", "textarea", "button",
    ]
    static let voidTags: Set<String> = ["br", "hr", "img"]
    static let blockTags: Set<String> = [
        "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol",
        "dl", "dt", "dd", "hr", "figure", "figcaption", "section", "article", "header", "footer",
    ]
}

/// Collects the two outputs while the HTML parser walks the fragment.
private final class Builder {
    let base: URL?
    var sanitized = ""
    var text = ""
    var skipDepth = 0

    init(base: URL?) { self.base = base }

    var plainText: String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\u{a0}" }).joined(separator: " ") }
            .joined(separator: "\n")
            .replacingOccurrences(of: "\n\n\n", with: "\n\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func start(_ name: String, _ attributes: [(String, String)]) {
        if skipDepth > 0 || HTMLCleaner.droppedWithContent.contains(name) {
            skipDepth += 1  // balanced by `end`, so nested elements inside are skipped too
            return
        }
        if HTMLCleaner.blockTags.contains(name) { breakLine() }
        guard HTMLCleaner.allowedTags.contains(name) else { return }
        let allowed = HTMLCleaner.allowedAttributes[name] ?? []
        sanitized += "<" + name
        for (attribute, value) in attributes where allowed.contains(attribute) {
            var value = value
            if HTMLCleaner.urlAttributes.contains(attribute) {
                guard let safe = safeURL(value) else { continue }
                value = safe
            }
            sanitized += " \(attribute)=\"\(MarkupEscape.text(value))\""
        }
        sanitized += ">"
    }

    func end(_ name: String) {
        if skipDepth > 0 {
            skipDepth -= 1
            return
        }
        if HTMLCleaner.blockTags.contains(name) { breakLine() }
        guard HTMLCleaner.allowedTags.contains(name), !HTMLCleaner.voidTags.contains(name) else { return }
        sanitized += "</\(name)>"
    }

    func characters(_ piece: String) {
        guard skipDepth == 0 else { return }
        sanitized += MarkupEscape.text(piece)
        text += piece.replacingOccurrences(of: "\n", with: " ")
    }

    private func breakLine() {
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
    }

    /// http, https and mailto only, resolved against the base; anything else (javascript:,
    /// data:, vbscript:...) is dropped.
    private func safeURL(_ raw: String) -> String? {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let url = URL(string: trimmed, relativeTo: base)?.absoluteURL,
            let scheme = url.scheme?.lowercased()
        else {
            return nil
        }
        guard ["http", "https", "mailto"].contains(scheme) else { return nil }
        return url.absoluteString
    }
}

private func builder(_ context: UnsafeMutableRawPointer?) -> Builder? {
    context.map { Unmanaged<Builder>.fromOpaque($0).takeUnretainedValue() }
}

private func htmlStart(
    _ context: UnsafeMutableRawPointer?, _ name: UnsafePointer<xmlChar>?,
    _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
) {
    guard let name, let builder = builder(context) else { return }
    var list: [(String, String)] = []
    if let attributes {
        var index = 0
        while let attribute = attributes[index] {
            let value = attributes[index + 1].map { String(cString: $0) } ?? ""
            list.append((String(cString: attribute).lowercased(), value))
            index += 2
        }
    }
    builder.start(String(cString: name).lowercased(), list)
}

private func htmlEnd(_ context: UnsafeMutableRawPointer?, _ name: UnsafePointer<xmlChar>?) {
    guard let name else { return }
    builder(context)?.end(String(cString: name).lowercased())
}

private func htmlCharacters(_ context: UnsafeMutableRawPointer?, _ characters: UnsafePointer<xmlChar>?, _ count: Int32)
{
    guard let characters, count > 0 else { return }
    builder(context)?.characters(
        String(decoding: UnsafeBufferPointer(start: characters, count: Int(count)), as: UTF8.self))
}
