import Foundation
import TradeWatchCache
import TradeWatchFetch
import TradeWatchFormats
import TradeWatchModel

/// Picks the parser for a source's payload and checks that the payload is what the source
/// promised: a feed source that answers with an HTML page fails with "not a feed", not with
/// an empty pull that would remove every article.
struct PayloadDecoder {
    var source: SourceConfiguration
    var url: String
    var contentType: String?

    /// A feed document as one pull. Its entry scope is the window the document shows: from
    /// its oldest dated item on (entries without dates never count as removed).
    func feedPull(_ body: FetchBody) throws -> (Pull, [String]) {
        let data = try body.data()
        let kind = FormatSniffer.sniff(data.prefix(FormatSniffer.window), contentType: contentType)
        guard kind.isFeed || kind == .unknown else {
            throw SyncFailure(
                code: "not-a-feed",
                message:
                    "\(Redaction.url(url)): expected an RSS, Atom or JSON feed, the server sent \(Self.describe(kind))")
        }
        let parsed: ParsedFeed
        do {
            parsed = try FeedParser.parse(data, contentType: contentType, url: url)
        } catch let error as FeedError {
            throw SyncFailure(code: error.code.rawValue, message: "\(Redaction.url(url)): \(error.message)")
        }
        let oldest = parsed.entries.compactMap(\.published).min()
        let scope: EntryScope = oldest.map { .publishedSince($0) } ?? .none
        return (Pull(mode: .snapshot, entries: parsed.entries, entryScope: scope), parsed.warnings)
    }

    /// Streams a statistics payload into `sink`.
    func decodeStatistics(_ body: FetchBody, into sink: PullSink) throws {
        var head = Data()
        try body.withChunks(chunkSize: FormatSniffer.window) { chunk in
            if head.isEmpty { head = chunk }
        }
        let kind = FormatSniffer.sniff(head, contentType: contentType)
        throw SyncFailure(
            code: "unsupported",
            message:
                "\(Redaction.url(url)): \(Self.describe(kind)) for a \(source.kindName) source cannot be read by this version yet"
        )
    }

    static func describe(_ kind: PayloadKind) -> String {
        switch kind {
        case .html: "an HTML page"
        case .unknown: "something that is neither a feed nor a statistics format"
        case .csv: "CSV"
        case .sdmxML: "SDMX-ML"
        case .sdmxJSON: "SDMX-JSON"
        case .comtradeJSON: "a Comtrade JSON answer"
        case .rss, .rdf: "an RSS feed"
        case .atom: "an Atom feed"
        case .jsonFeed: "a JSON Feed"
        }
    }
}
