public import Foundation
public import TradeWatchModel

/// Reads a feed as its bytes arrive and hands over each entry as soon as it is complete, so
/// memory stays flat however long the feed is. `FeedParser.parse` is this, collecting entries.
public final class FeedStreamParser {
    private let contentType: String?
    private let url: String?
    private let onEntry: (Entry) -> Void
    private var head = Data()
    private var kind: PayloadKind?
    private var xml: (reader: XMLStreamReader, handler: FeedXMLHandler)?
    private var keys = EntryKeys()
    private var warnings: [String] = []
    /// The size the head must reach before the sniffer looks again: it doubles, so a long
    /// prolog (a comment, a DOCTYPE) is rescanned a logarithmic number of times.
    private var nextLook = FormatSniffer.window

    /// What the document was already found to be, if the caller sniffed it (the sync engine
    /// sniffs every payload once); nil or `.unknown`: this parser looks at the head itself.
    private let known: PayloadKind?

    public init(
        kind: PayloadKind? = nil, contentType: String? = nil, url: String? = nil, onEntry: @escaping (Entry) -> Void
    ) {
        self.known = kind == .unknown ? nil : kind
        self.contentType = contentType
        self.url = url
        self.onEntry = onEntry
    }

    /// The next bytes of the document.
    public func feed(_ data: Data) {
        if let xml {
            xml.reader.feed(data)
            return
        }
        head.append(data)
        if kind == nil, let known {
            start(known)
            return
        }
        if kind == nil && head.count >= nextLook {
            nextLook = head.count * 2
            if let kind = FormatSniffer.classify(head, contentType: contentType, complete: false) { start(kind) }
        }
    }

    /// Ends the document. Entries have all gone to `onEntry`; the result holds the rest.
    public func finish() throws -> ParsedFeed {
        if kind == nil { start(known ?? FormatSniffer.sniff(head, contentType: contentType)) }
        switch kind {
        case .jsonFeed?:
            var feed = try JSONFeedReader.parse(head, url: url)
            feed.entries.forEach(onEntry)
            feed.entries = []
            return feed
        case .html?:
            throw FeedError(code: .notAFeed, message: "this is an HTML page, not a feed")
        case let other? where !(other == .rss || other == .rdf || other == .atom):
            throw FeedError(code: .notAFeed, message: "neither RSS, Atom nor JSON Feed (looks like \(other.rawValue))")
        default:
            break
        }
        guard let xml else { throw FeedError(code: .notAFeed, message: "empty document") }
        let report = xml.reader.finish()
        xml.handler.documentEnded()
        guard let format = xml.handler.format else {
            throw FeedError(code: .notAFeed, message: "an XML document, but neither RSS nor Atom")
        }
        let charset = ContentType.charset(of: contentType)
        return ParsedFeed(
            format: format, encoding: charset ?? FeedParser.declaredEncoding(head), wellFormed: report.wellFormed,
            warnings: report.issues.map { "XML \($0)" } + xml.handler.warnings + warnings, feed: xml.handler.feed,
            entries: [])
    }

    /// Records what the document is and, for XML, starts reading it.
    private func start(_ kind: PayloadKind) {
        self.kind = kind
        guard kind == .rss || kind == .rdf || kind == .atom else { return }
        let handler = FeedXMLHandler(url: url)
        handler.onEntry = { [unowned self] draft in
            self.onEntry(self.keys.entry(from: draft, warnings: &self.warnings))
        }
        let reader = XMLStreamReader(handler: handler, url: url, encoding: ContentType.charset(of: contentType))
        xml = (reader, handler)
        reader.feed(head)
        // Keep only what the encoding guess needs; the rest is with the parser.
        head = head.prefix(200)
    }
}
