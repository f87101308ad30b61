import Foundation
import TradeWatchModel

/// Namespaces the feed formats use.
enum FeedNamespace {
    static let atom10 = "http://www.w3.org/2005/Atom"
    static let atom03 = "http://purl.org/atom/ns#"
    static let rss10 = "http://purl.org/rss/1.0/"
    static let rss090 = "http://my.netscape.com/rdf/simple/0.9/"
    static let rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    static let dc = "http://purl.org/dc/elements/1.1/"
    static let content = "http://purl.org/rss/1.0/modules/content/"
    static let xml = "http://www.w3.org/XML/1998/namespace"
    static let itunes = "http://www.itunes.com/dtds/podcast-1.0.dtd"
    /// UserLand's namespaces for RSS 0.91 and 2.0, which some feeds declare as the default.
    static let userland = "http://backend.userland.com/rss"
    static let userland2 = "http://backend.userland.com/rss2"
}

/// Turns the XML events of an RSS (0.9x, 1.0, 2.0) or Atom (0.3, 1.0) document into a
/// normalized feed. One pass, no tree: state is the element path and the text being read.
final class FeedXMLHandler: XMLStreamHandler {
    enum Family {
        case rss
        case atom
    }

    private(set) var family: Family?
    private(set) var format: ParsedFeed.Format?
    private(set) var feed = ParsedFeed.Info()
    private(set) var entries: [DraftEntry] = []
    private(set) var warnings: [String] = []
    /// Receives each entry as it completes; when set, `entries` stays empty.
    var onEntry: ((DraftEntry) -> Void)?

    private let documentURL: URL?
    private var path: [XMLName] = []
    private var bases: [URL?] = []
    private var text = ""
    private var entry: DraftEntry?
    private var author: Entry.Author?
    /// Depth of the item or entry being read: only its direct children set its fields.
    private var entryDepth: Int?
    /// Depth of the channel (RSS `channel`, else the root; Atom `feed`): only its direct
    /// children set the feed's fields.
    private var channelDepth: Int?
    /// Depth of the channel's `image`, whose direct `url` child is the feed's image.
    private var imageDepth: Int?
    /// How the text element being read is to be read.
    private var textKind = TextKind.text
    /// The element that just ended had naked markup in it (kept as markup).
    private var endedAsMarkup = false
    /// Depth at which an Atom xhtml text construct started; its children are kept as markup.
    private var markupDepth: Int?
    /// The markup construct is Atom `type="xhtml"`, whose wrapping `div` is not content.
    private var markupIsXHTML = false
    /// Depth of an element whose text is base64 (Atom 0.3 `mode="base64"`, Atom 1.0 with a
    /// non-text media type), decoded when it ends.
    private var base64Depth: Int?
    /// Depth of an atom:source inside the entry being read: its children describe the feed
    /// the entry came from, not the entry.
    private var sourceDepth: Int?

    /// Elements whose content is text: markup found inside one (a publisher's unescaped
    /// HTML, `<description><p>…</p></description>`) is kept as markup, not dropped.
    private static let textElements: Set<String> = [
        "title", "description", "summary", "content", "subtitle", "tagline", "encoded", "info", "rights",
        "copyright", "category", "guid",
    ]

    init(url: String?) {
        documentURL = url.flatMap { URL(string: $0) }
    }

    // MARK: Events

    func xmlStart(_ name: XMLName, attributes: [XMLAttribute]) {
        if markupDepth == nil, family != nil, let parent = path.last, Self.textElements.contains(parent.local),
            isCore(parent) || isAtom(parent) || parent.namespace == FeedNamespace.content
                || parent.namespace == FeedNamespace.dc
        {
            // Naked markup inside a text element: from here the element is read as markup,
            // with the text before this child escaped as markup text.
            markupDepth = path.count
            markupIsXHTML = false
            text = escapedInMarkup(text)
        }
        if let depth = markupDepth, path.count >= depth {
            appendText(
                "<" + name.local + attributes.map { " \($0.name.local)=\"\(escapedInMarkup($0.value))\"" }.joined()
                    + ">")
            pushPath(name)
            return
        }
        let base = attributes.first { $0.name.local == "base" && $0.name.namespace == FeedNamespace.xml }
        let elementBase = base.flatMap { URL(string: $0.value, relativeTo: currentBase) } ?? currentBase
        var bases = take(&self.bases, leaving: [])
        bases.append(elementBase)
        self.bases = bases
        pushPath(name)
        text = ""
        if path.count == 1 { detect(name, attributes) }
        guard family != nil else { return }
        // RSS 0.90 shares RSS 1.0's RDF root; its elements are in Netscape's namespace.
        if format == .rss10 && name.namespace == FeedNamespace.rss090 { format = .rss090 }
        let local = name.local
        textKind = textKind(of: name, local, attributes)
        let inEntry = entryDepth.map { path.count == $0 + 1 } ?? false
        let inChannel = entry == nil && (channelDepth.map { path.count == $0 + 1 } ?? false)
        switch local {
        case "item" where isCore(name) && entry == nil, "entry" where isAtom(name) && entry == nil:
            entry = DraftEntry()
            entryDepth = path.count
        case "channel" where isCore(name) && path.count == 2:
            channelDepth = path.count
        case "image" where isCore(name) && entry == nil && (inChannel || path.count == 2):
            imageDepth = path.count
        case "source" where inEntry && isAtom(name):
            sourceDepth = path.count
        case "author" where isAtom(name) && (inEntry || inChannel),
            "contributor" where isAtom(name) && (inEntry || inChannel):
            author = Entry.Author()
        case "link" where isAtom(name) && (inEntry || inChannel):
            atomLink(attributes)
        case "link" where family == .rss && attributes.value("href") != nil && (inEntry || inChannel):
            // atom:link with its prefix left undeclared, or <link href="..."/>: the last link wins.
            if let href = attributes.value("href").flatMap(resolve) {
                if entry != nil { updateEntry { $0.link = href } } else { feed.link = href }
            }
        case "image" where isITunes(name) && inChannel:
            if feed.image == nil { feed.image = attributes.value("href").flatMap(resolve) }
        case "enclosure" where isCore(name) && inEntry:
            if let href = attributes.value("url").flatMap(resolve) {
                let link = Entry.Link(
                    href: href, rel: "enclosure", type: attributes.value("type"),
                    length: attributes.value("length").flatMap { Int64($0) })
                updateEntry { $0.enclosures.append(link) }
            }
        case "category" where isAtom(name) && inEntry:
            // The term is the category (RFC 4287 4.2.2); a label is how to show it.
            let term = attributes.value("term")?.trimmingXMLWhitespace ?? ""
            let label = attributes.value("label")?.trimmingXMLWhitespace ?? ""
            if !term.isEmpty {
                updateEntry { $0.add(category: term, label: label) }  // in place: no copy of the draft
            } else if !label.isEmpty {
                updateEntry { $0.add(category: label) }
            }
        case "guid" where isCore(name) && inEntry:
            let isPermaLink = attributes.value("isPermaLink")?.lowercased() != "false"
            updateEntry { $0.guidIsPermaLink = isPermaLink }
        case "title", "summary", "content", "subtitle", "tagline", "rights", "info":
            guard !attributes.isEmpty, isAtom(name) else { break }
            let type = attributes.value("type")
            let mode = attributes.value("mode")
            if type == "xhtml" || mode == "xml" || type?.hasSuffix("xhtml+xml") == true {
                markupDepth = path.count
                markupIsXHTML = true  // Atom 1.0 xhtml and Atom 0.3 inline xml: one wrapping div
            }
            if Self.isBase64(type: type, mode: mode) {
                base64Depth = path.count
            }
            if local == "content", inEntry, type == "xhtml" || type == nil, attributes.value("src") != nil {
                let link = Entry.Link(href: resolve(attributes.value("src") ?? "") ?? "", rel: "content")
                updateEntry { $0.links.append(link) }
            }
        default:
            break
        }
        if path.count == 1 || (local == "feed" && isAtom(name)),
            let lang = attributes.first(where: {
                $0.name.local == "lang" && $0.name.namespace == FeedNamespace.xml
            })
        {
            feed.language = feed.language ?? lang.value
        }
    }

    func xmlText(_ piece: String) {
        if let depth = markupDepth, path.count >= depth {
            appendText(escapedInMarkup(piece))
        } else {
            appendText(piece)
        }
    }

    func xmlEnd(_ name: XMLName) {
        if let depth = markupDepth {
            if path.count > depth {  // a child of the xhtml construct: keep it as markup
                popPath()
                appendText("</" + name.local + ">")
                return
            }
            markupDepth = nil  // the construct itself ends
            if markupIsXHTML { text = Self.unwrappingDiv(text) }
            markupIsXHTML = false
            endedAsMarkup = true
        }
        if let depth = base64Depth, depth == path.count {
            base64Depth = nil
            // A media type that only looks binary ("application/x-custom" around plain words)
            // is left as it is unless the text decodes to UTF-8.
            let compact = text.filter { !$0.isWhitespace }
            if let data = Data(base64Encoded: compact), let decoded = String(validating: data, as: UTF8.self) {
                text = decoded
            }
        }
        let content = TextValue(raw: text, kind: endedAsMarkup && !nakedIsText ? .html : textKind)
        endedAsMarkup = false
        textKind = .text
        defer {
            popPath()
            var bases = take(&self.bases, leaving: [])
            bases.removeLast()
            self.bases = bases
            text = ""
        }
        guard family != nil else { return }
        let value = text.trimmingXMLWhitespace
        let local = name.local
        if let depth = entryDepth {
            if path.count == depth {
                finishEntry()
            } else if let depth = sourceDepth, path.count >= depth {
                // Inside atom:source: the original feed's metadata, not this entry's.
                if path.count == depth { sourceDepth = nil }
            } else if author != nil || path.count == depth + 1 {
                // Moved out and back: no copy of the draft per element, and no forced unwrap.
                if var draft = entry.take() {
                    endInEntry(name, local, value, content, &draft)
                    entry = consume draft
                }
            }
        } else if author != nil && (local == "name" || local == "email" || local == "uri" || local == "url") {
            setAuthorField(local, value)
        } else if local == "author" || local == "contributor" {
            author = nil
        } else if let depth = imageDepth {
            if local == "url", path.count == depth + 1, !value.isEmpty { feed.image = resolve(value) }
            if path.count == depth { imageDepth = nil }
        } else if let depth = channelDepth, path.count == depth + 1 {
            endInChannel(name, local, value, content)
        }
    }

    // MARK: Format detection

    private func detect(_ name: XMLName, _ attributes: [XMLAttribute]) {
        switch (name.local, name.namespace) {
        case ("rss", _):
            family = .rss
            channelDepth = 1  // until a <channel> says otherwise
            switch attributes.value("version") {
            case "0.91": format = .rss091
            case "0.92": format = .rss092
            case "0.93": format = .rss093
            case "0.94": format = .rss094
            case "0.90": format = .rss090
            default: format = .rss20
            }
        case ("RDF", FeedNamespace.rdf):
            family = .rss
            format = .rss10
            channelDepth = 1
        case ("feed", FeedNamespace.atom03):
            family = .atom
            format = .atom03
            channelDepth = 1
        case ("feed", _):
            family = .atom
            format = .atom10
            channelDepth = 1
        default:
            break
        }
    }

    // MARK: Fields

    /// Called when the document has ended: an entry still open was cut off (a truncated
    /// download) and is left out rather than stored half-read.
    func documentEnded() {
        guard let draft = entry else { return }
        entry = nil
        entryDepth = nil
        warn(
            "the document ended inside an entry (\(draft.title?.text ?? draft.id ?? draft.link ?? "untitled")); it was left out"
        )
    }

    private func finishEntry() {
        guard var draft = entry else { return }
        entry = nil
        entryDepth = nil
        sourceDepth = nil
        // Atom requires only `updated`; an entry without `published` was published then.
        if family == .atom && draft.published == nil { draft.published = draft.updated }
        if draft.link == nil, let (href, base) = draft.permalink { draft.link = resolve(href, against: base) }
        if let onEntry {
            onEntry(draft)
        } else {
            var entries = take(&self.entries, leaving: [])
            entries.append(draft)
            self.entries = entries
        }
    }

    private func endInEntry(
        _ name: XMLName, _ local: String, _ value: String, _ content: TextValue, _ draft: inout DraftEntry
    ) {
        if author != nil, isAtom(name) || local == "name" || local == "email" || local == "uri" {
            if local == "author" || local == "contributor" {
                if let author, author != Entry.Author() {
                    if local == "author" { draft.authors.append(author) }
                }
                self.author = nil
            } else {
                setAuthorField(local, value)
            }
            return
        }
        let core = isCore(name)
        let atom = isAtom(name)
        switch local {
        case "title" where core || atom:
            if let title = nonEmpty(withBase(content.published)) { draft.title = title }
        case "link" where core:
            if !value.isEmpty, let href = resolve(value) { draft.link = href }  // the last one, as gofeed does
        case "description" where core:
            draft.summary = draft.summary ?? nonEmpty(content.published)
        case "encoded" where name.namespace == FeedNamespace.content || name.namespace == nil:
            draft.content = nonEmpty(withBase(content.published))
        case "summary" where atom:
            draft.summary = nonEmpty(withBase(content.published))
        case "content" where atom:
            draft.content = draft.content ?? nonEmpty(withBase(content.published))
        case "guid" where core:
            draft.id = nonEmpty(value)
            // The link of last resort, resolved only if the item ends without a <link>.
            if draft.link == nil, draft.guidIsPermaLink, let href = nonEmpty(value) {
                draft.permalink = (href, currentBase)
            }
        case "id" where atom:
            draft.id = nonEmpty(value)
        case "pubDate" where core, "published" where atom, "issued" where atom:
            draft.published = date(value, field: local)
        case "updated" where atom, "modified" where atom:
            draft.updated = date(value, field: local)
        case "date" where name.namespace == FeedNamespace.dc:
            let date = date(value, field: "dc:date")
            if draft.published == nil { draft.published = date } else { draft.updated = draft.updated ?? date }
        case "author" where core:
            if !value.isEmpty { draft.authors.append(Self.rssAuthor(value)) }
        case "title" where name.namespace == FeedNamespace.dc:
            if draft.title == nil { draft.title = nonEmpty(content.published) }
        case "description" where name.namespace == FeedNamespace.dc, "summary" where isITunes(name):
            if draft.summary == nil { draft.summary = nonEmpty(content.published) }
        case "author" where isITunes(name):
            if draft.authors.isEmpty, !value.isEmpty { draft.authors.append(Self.rssAuthor(value)) }
        case "keywords" where isITunes(name):
            for keyword in value.split(separator: ",") { draft.add(category: String(keyword)) }
        case "creator" where name.namespace == FeedNamespace.dc:
            if !value.isEmpty { draft.authors.append(Self.rssAuthor(value)) }
        case "category" where core, "subject" where name.namespace == FeedNamespace.dc:
            draft.add(category: value)
        default:
            break
        }
    }

    private func endInChannel(_ name: XMLName, _ local: String, _ value: String, _ content: TextValue) {
        let core = isCore(name)
        let atom = isAtom(name)
        switch local {
        case "title" where core || atom || name.namespace == FeedNamespace.dc:
            if feed.title == nil { feed.title = nonEmpty(content.text) }
        case "link" where core:
            if !value.isEmpty { feed.link = resolve(value) }
        case "description" where core, "subtitle" where atom, "tagline" where atom,
            "description" where name.namespace == FeedNamespace.dc, "summary" where isITunes(name):
            feed.description = feed.description ?? nonEmpty(content.published.asMarkup)
        case "language" where core, "language" where name.namespace == FeedNamespace.dc:
            feed.language = nonEmpty(value) ?? feed.language
        case "lastBuildDate" where core, "updated" where atom, "modified" where atom:
            feed.updated = date(value, field: local) ?? feed.updated
        case "pubDate" where core, "date" where name.namespace == FeedNamespace.dc:
            feed.updated = feed.updated ?? date(value, field: local)
        case "ttl" where core:
            feed.ttl = Int(value)
        case "logo" where atom, "icon" where atom:
            feed.image = feed.image ?? nonEmpty(value).flatMap(resolve)
        default:
            break
        }
    }

    /// Text inside markup kept as markup: escaped, except in a plain-text element, where
    /// elements a publisher left unescaped (`<title><p>x</p></title>`) are kept as the same
    /// characters a CDATA section would have given.
    private func escapedInMarkup(_ piece: String) -> String {
        nakedIsText && !markupIsXHTML ? piece : MarkupEscape.text(piece)
    }

    /// Elements inside the element being read are characters of its text: it is plain text,
    /// except in Atom 0.3, whose default mode is inline XML.
    private var nakedIsText: Bool { textKind == .text && format != .atom03 }

    /// How an element's content reads: Atom text constructs by their `type` (RFC 4287 3.1.1:
    /// `text`, the default, is plain text; Atom 0.3's `mode="escaped"` or `base64` without a
    /// type is HTML in practice, and so is content of another media type, kept as published);
    /// RSS `description` and `content:encoded` are HTML; every other element (titles
    /// included) is plain text.
    private func textKind(of name: XMLName, _ local: String, _ attributes: [XMLAttribute]) -> TextKind {
        if isAtom(name) {
            let mode = attributes.value("mode")?.lowercased()
            switch attributes.value("type")?.lowercased() {
            case "xhtml"?, "application/xhtml+xml"?: return .xhtml
            case "text"?, "text/plain"?: return mode == "base64" ? .html : .text
            case nil: return mode == nil ? .text : mode == "xml" ? .xhtml : .html
            // html, and content of other media types (base64 or not): kept as published.
            default: return .html
            }
        }
        if local == "description" && isCore(name) { return .html }
        if local == "encoded" && (name.namespace == FeedNamespace.content || name.namespace == nil) { return .html }
        return .text
    }

    private func atomLink(_ attributes: [XMLAttribute]) {
        guard let raw = attributes.value("href"), let href = resolve(raw) else { return }
        let rel = attributes.value("rel") ?? "alternate"
        let link = Entry.Link(
            href: href, rel: rel, type: attributes.value("type"),
            length: attributes.value("length").flatMap { Int64($0) })
        if entry != nil {
            updateEntry { draft in
                if rel == "enclosure" {
                    draft.enclosures.append(link)
                } else {
                    draft.links.append(link)
                    if rel == "alternate" { draft.setLink(href) }
                }
            }
        } else if rel == "alternate", feed.link == nil {
            feed.link = href
        }
    }

    private func setAuthorField(_ local: String, _ value: String) {
        guard !value.isEmpty else { return }
        switch local {
        case "name": author?.name = value
        case "email": author?.email = value
        case "uri", "url":
            let uri = resolve(value)  // before the access to `author`, not inside it
            author?.uri = uri
        default: break
        }
    }

    /// RSS `author` is an e-mail address, often followed by a name in parentheses.
    static func rssAuthor(_ value: String) -> Entry.Author {
        if let open = value.firstIndex(of: "("), let close = value.lastIndex(of: ")"), open < close {
            let outside = value[..<open].trimmingCharacters(in: .whitespaces)
            let inside = value[value.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
            // "email (Name)" is the RSS form; "Name (email)" is common too.
            let (name, email) = inside.contains("@") && !outside.contains("@") ? (outside, inside) : (inside, outside)
            return Entry.Author(name: name.isEmpty ? nil : name, email: email.contains("@") ? email : nil)
        }
        return value.contains("@") ? Entry.Author(email: value) : Entry.Author(name: value)
    }

    private func date(_ value: String, field: String) -> Date? {
        guard !value.isEmpty else { return nil }
        if let date = FeedDate.parse(value) { return date }
        warn("unreadable date in <\(field)>: \"\(value.prefix(60))\" (left out)")
        return nil
    }

    // MARK: Helpers

    // The growing state (path, text, entry) is changed as locals taken out of the properties
    // (see `take`), so that no access to a property spans a call into the standard library and
    // the optimizer can prove every access disjoint: no run-time exclusivity check per event.

    @inline(__always)
    private func pushPath(_ name: XMLName) {
        var path = take(&self.path, leaving: [])
        path.append(name)
        self.path = path
    }

    @inline(__always)
    private func popPath() {
        var path = take(&self.path, leaving: [])
        path.removeLast()
        self.path = path
    }

    @inline(__always)
    private func appendText(_ piece: String) {
        var text = take(&self.text, leaving: "")
        text += piece
        self.text = text
    }

    /// Changes the entry being read, if any, without copying it.
    @inline(__always)
    private func updateEntry(_ change: (inout DraftEntry) -> Void) {
        guard var draft = entry.take() else { return }
        change(&draft)
        entry = consume draft
    }

    private func warn(_ warning: String) {
        var warnings = take(&self.warnings, leaving: [])
        warnings.append(warning)
        self.warnings = warnings
    }

    private var currentBase: URL? { bases.last ?? documentURL }

    func resolve(_ href: String) -> String? { resolve(href, against: currentBase) }

    private func resolve(_ href: String, against base: URL?) -> String? {
        let trimmed = href.trimmingXMLWhitespace
        guard !trimmed.isEmpty else { return nil }
        // Most links are already absolute and plain; Foundation's URL resolution would return
        // them unchanged, at a cost that showed in every sync.
        if Self.isPlainAbsolute(trimmed) { return trimmed }
        if let base, let url = URL(string: trimmed, relativeTo: base) { return url.absoluteString }
        return trimmed
    }

    /// Markup under an explicit `xml:base` with its relative `href` and `src` resolved: the
    /// base is known only while reading, so content is kept as published except for this.
    private func withBase(_ markup: String) -> String {
        guard let base = bases.last ?? nil, base != documentURL,
            markup.contains("href=") || markup.contains("src=")
        else { return markup }
        var out = ""
        var rest = Substring(markup)
        while let attribute = rest.range(of: #"(href|src)\s*=\s*["']"#, options: .regularExpression) {
            out += rest[..<attribute.upperBound]
            let quote = rest[rest.index(before: attribute.upperBound)]
            rest = rest[attribute.upperBound...]
            guard let close = rest.firstIndex(of: quote) else { break }
            let value = String(rest[..<close])
            out += URL(string: value, relativeTo: base)?.absoluteString ?? value
            rest = rest[close...]
        }
        return out + rest
    }

    /// iTunes' namespace is written in several cases in the wild.
    private func isITunes(_ name: XMLName) -> Bool {
        name.namespace?.lowercased() == FeedNamespace.itunes.lowercased()
    }

    private func isCore(_ name: XMLName) -> Bool {
        switch name.namespace {
        case nil, FeedNamespace.rss10?, FeedNamespace.rss090?, FeedNamespace.userland?, FeedNamespace.userland2?:
            return true
        default:
            return false
        }
    }

    private func isAtom(_ name: XMLName) -> Bool {
        name.namespace == FeedNamespace.atom10 || name.namespace == FeedNamespace.atom03
            || (family == .atom && name.namespace == nil)
    }

    private func nonEmpty(_ value: PublishedText) -> PublishedText? {
        value.value.isEmpty ? nil : value
    }

    /// Relative links in markup resolved against the element's base; plain text is not markup
    /// and is kept as it is.
    private func withBase(_ value: PublishedText) -> PublishedText {
        value.type == .html ? PublishedText(value: withBase(value.value), type: .html) : value
    }

    private func nonEmpty(_ value: String) -> String? {
        let trimmed = value.trimmingXMLWhitespace
        return trimmed.isEmpty ? nil : trimmed
    }
}
