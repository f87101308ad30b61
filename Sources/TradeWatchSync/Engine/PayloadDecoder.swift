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
                code: .notAFeed,
                message:
                    "\(Redaction.url(url)): expected an RSS, Atom or JSON feed, the server sent \(Self.describe(kind))")
        }
        let parsed: ParsedFeed
        do {
            parsed = try FeedParser.parse(data, contentType: contentType, url: url)
        } catch let error as FeedError {
            throw SyncFailure(code: SyncErrorCode(error.code), message: "\(Redaction.url(url)): \(error.message)")
        }
        let oldest = parsed.entries.compactMap(\.published).min()
        let scope: EntryScope = oldest.map { .publishedSince($0) } ?? .none
        return (Pull(mode: .snapshot, entries: parsed.entries, entryScope: scope), parsed.warnings)
    }

    /// Streams a statistics payload into `sink`, after checking it is the format the source's
    /// kind publishes.
    func decodeStatistics(_ body: FetchBody, into sink: PullSink) throws -> StatisticsSummary {
        try decodeStatistics(body, into: StatisticsOutput(add: { try sink.add($0) }, delete: { try sink.delete($0) }))
    }

    /// The same, into any output (`tradewatch inspect` prints what the cache would receive).
    func decodeStatistics(_ body: FetchBody, into output: StatisticsOutput) throws -> StatisticsSummary {
        // Only the head: a spilled 200 MB message is not read twice.
        let kind = FormatSniffer.sniff(try body.prefix(FormatSniffer.window), contentType: contentType)
        do {
            switch source.kind {
            case .comtrade(let comtrade):
                try expect(kind, [.comtradeJSON, .sdmxJSON, .unknown], "a Comtrade JSON answer")
                return try ComtradeReader.read(
                    try body.data(), dataset: SourcePlanner.comtradeDataset(comtrade),
                    recordCap: comtrade.preview ? 500 : 100_000, into: output)
            case .sdmx(let sdmx):
                let naming = { (reference: SDMXReference) in SourcePlanner.sdmxDataset(sdmx, reference: reference) }
                switch try sdmxFormat(kind, head: try body.prefix(64), configured: sdmx.format) {
                case .ml:
                    return try SDMXMLReader.read(naming: naming, url: url, output: output) { feed in
                        try body.withChunks { try feed($0) }
                    }
                case .json:
                    // Streamed twice from the body (a spilled file stays on disk): bounded memory.
                    return try SDMXJSONReader.read(naming: naming, into: output) { feed in
                        try body.withChunks { try feed($0) }
                    }
                }
            case .csv(let csv):
                try expect(kind, [.csv, .unknown], "CSV")
                return try CSVStatisticsReader.read(try body.data(), mapping: csv.mapping, into: output)
            case .feed:
                throw SyncFailure(code: .internal, message: "a feed source reached the statistics decoder")
            }
        } catch let error as StatisticsError {
            throw SyncFailure(
                code: SyncErrorCode(error.code), message: "\(Redaction.url(url)): \(error)",
                retryAfter: error.code == .notReady ? .seconds(300) : nil)
        }
    }

    /// The reader an SDMX answer goes to. An HTML page or a feed is refused. Otherwise the
    /// document's first character decides between markup and JSON (an SDMX-ML error message
    /// may answer a JSON query), and the configured format decides the rest: the sniffer's
    /// reading of a window of keys is never a veto (an SDMX-JSON 1.0 message may put a long
    /// `structure` before its `dataSets`). The reader then says what is wrong with a document
    /// that is not a data message.
    func sdmxFormat(_ kind: PayloadKind, head: Data, configured: SDMXSource.Format) throws -> SDMXSource.Format {
        switch kind {
        case .html, .rss, .rdf, .atom, .jsonFeed:
            throw unexpected(kind, "an SDMX-ML or SDMX-JSON data message")
        case .sdmxML:
            return .ml
        case .sdmxJSON:
            return .json
        default:
            break
        }
        var bytes = head[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        let first = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        switch first {
        case UInt8(ascii: "{"), UInt8(ascii: "["): return .json
        case UInt8(ascii: "<"): return .ml
        default: return configured
        }
    }

    private func expect(_ kind: PayloadKind, _ allowed: [PayloadKind], _ what: String) throws {
        guard !allowed.contains(kind) else { return }
        throw unexpected(kind, what)
    }

    private func unexpected(_ kind: PayloadKind, _ what: String) -> SyncFailure {
        SyncFailure(
            code: .unexpectedFormat,
            message: "\(Redaction.url(url)): expected \(what), the server sent \(Self.describe(kind))")
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

extension CSVSource {
    /// The parser's view of the configured mapping.
    var mapping: CSVMapping {
        var mapping = CSVMapping(dataset: dataset)
        mapping.delimiter = delimiter
        mapping.header = header
        mapping.skipLines = skipLines
        mapping.dimensions = dimensions.map { ($0.column, $0.id) }
        mapping.period = period
        mapping.value = value
        mapping.flags = flags
        mapping.unit = unit
        mapping.attributes = attributes.map { ($0.column, $0.id) }
        mapping.decimalSeparator = decimalSeparator
        mapping.thousandsSeparator = thousandsSeparator
        mapping.encoding = encoding
        return mapping
    }
}
