import Foundation
import Synchronization
import Logging
import TradeWatchCache
import TradeWatchFetch
import TradeWatchFormats
import TradeWatchModel

/// One fetched payload, sniffed once: what the decoders below and the error messages go by.
struct Payload: Sendable {
    var body: FetchBody
    /// Where it came from after redirects (relative links in a feed resolve against it).
    var url: String
    var contentType: String?
    /// What its first bytes say it is (`.unknown` when they do not say: a feed parser then
    /// goes on looking past a long prolog).
    var kind: PayloadKind

    init(body: FetchBody, url: String, contentType: String?) throws {
        self.body = body
        self.url = url
        self.contentType = contentType
        // Only the head: a spilled 200 MB message is not read twice.
        kind = FormatSniffer.sniff(try body.prefix(FormatSniffer.window), contentType: contentType)
    }
}

/// A sync's payloads decoded for the cache, one strategy per source kind: a feed is parsed
/// and its entries prepared where the sync runs (concurrently with other syncs); statistics
/// are parsed inside the cache write, streaming into it, so millions of figures never sit in
/// memory. Either way the cache gets one `record` call (see `pullContent`).
enum DecodedPull: Sendable {
    case feed(Pull, PreparedEntries)
    case statistics(mode: Pull.Mode, scope: ObservationScope, payloads: [Payload], context: StatisticsContext)

    /// What `CacheWriter.record` applies. For statistics, the producer parses each payload
    /// into the sink, with the reader's warnings (secrets hidden) recorded beside the fetch.
    func pullContent(source: SourceConfiguration, secrets: [String], logger: Logger) -> PullContent {
        switch self {
        case .feed(let pull, let entries):
            return PullContent(pull, entries: entries)
        case .statistics(let mode, let scope, let payloads, let context):
            return PullContent(mode: mode, observationScope: scope) { sink in
                for payload in payloads {
                    var decoder = PayloadDecoder(source: source, url: payload.url, contentType: payload.contentType)
                    decoder.structures = context.structures
                    decoder.structureSeen = context.structureSeen
                    let summary = try decoder.decodeStatistics(
                        payload,
                        into: StatisticsOutput(
                            add: { try sink.add($0) }, delete: { try sink.delete($0) },
                            label: { dataset, label in
                                if !context.namedElsewhere.contains(label.component) {
                                    sink.label(label, dataset: dataset)
                                }
                            }))
                    for warning in summary.warnings {
                        let shown = Redaction.text(warning, hiding: secrets)
                        let url = Redaction.text(Redaction.url(payload.url), hiding: secrets)
                        logger.warning("\(shown)", metadata: ["url": "\(url)"])
                        sink.warn(shown)
                    }
                }
            }
        }
    }
}

/// The data structures the SDMX messages of one sync named (their DSD ids), gathered on the
/// writer's thread where the messages are read, looked at by the sync afterwards.
final class StructureSeen: Sendable {
    private let ids = Mutex<Set<String>>([])

    func note(_ reference: SDMXReference) {
        guard let id = reference.structure else { return }
        ids.withLock { _ = $0.insert(id) }
    }

    var structures: Set<String> { ids.withLock { $0 } }
}

/// What a statistics read knows from earlier syncs.
struct StatisticsContext: Sendable {
    /// Components whose names a fetched reference list gives: the data's own names for them
    /// are not stored (see `SyncEngine.componentsNamedByReferences`).
    var namedElsewhere: Set<String> = []
    /// The stored structures of the source's datasets, by dataset id, with the codes their
    /// codelists list: structure-specific SDMX-ML is split by them.
    var structures: [String: (structure: DatasetStructure, codes: [String: Set<String>])] = [:]
    var structureSeen: StructureSeen?
}

/// Picks the parser for a source's payload and checks that the payload is what the source
/// promised: a feed source that answers with an HTML page fails with "not a feed", not with
/// an empty pull that would remove every article.
struct PayloadDecoder {
    var source: SourceConfiguration
    var url: String
    var contentType: String?
    /// See `StatisticsContext.structures`.
    var structures: [String: (structure: DatasetStructure, codes: [String: Set<String>])] = [:]
    /// Told which structure an SDMX message says its data follow.
    var structureSeen: StructureSeen?

    /// A feed document as one pull, its entries prepared for the cache with the feed parser's
    /// own HTML-to-text (`HTMLCleaner.text`) as their search text. The parser is handed the
    /// body as a stream. The entry scope is the window the document shows: from its oldest
    /// dated item on (entries without dates never count as removed).
    func decodeFeed(_ payload: Payload) throws -> (pull: Pull, entries: PreparedEntries, warnings: [String]) {
        guard payload.kind.isFeed || payload.kind == .unknown else {
            throw SyncFailure(
                code: .notAFeed,
                message:
                    "\(Redaction.url(url)): expected an RSS, Atom or JSON feed, the server sent \(Self.describe(payload.kind))"
            )
        }
        var entries: [Entry] = []
        let parsed: ParsedFeed
        do {
            let parser = FeedStreamParser(kind: payload.kind, contentType: contentType, url: url) {
                entries.append($0)
            }
            try payload.body.withChunks { parser.feed($0) }
            parsed = try parser.finish()
        } catch let error as FeedError {
            throw SyncFailure(code: SyncErrorCode(error.code), message: "\(Redaction.url(url)): \(error.message)")
        }
        let oldest = entries.compactMap(\.published).min()
        let scope: EntryScope = oldest.map { .publishedSince($0) } ?? .none
        let prepared = PreparedEntries(entries, searchText: HTMLCleaner.text)
        return (Pull(mode: .snapshot, entryScope: scope), prepared, parsed.warnings)
    }

    /// Streams a statistics payload into `output` (the cache's sink, or `tradewatch inspect`'s
    /// printer), after checking it is the format the source's kind publishes.
    func decodeStatistics(_ payload: Payload, into output: StatisticsOutput) throws -> StatisticsSummary {
        let (body, kind) = (payload.body, payload.kind)
        do {
            switch source.kind {
            case .comtrade(let comtrade):
                try expect(kind, [.comtradeJSON, .sdmxJSON, .unknown], "a Comtrade JSON answer")
                return try ComtradeReader.read(
                    try body.data(), dataset: SourcePlanner.comtradeDataset(comtrade),
                    recordCap: comtrade.preview ? 500 : 100_000, into: output)
            case .sdmx(let sdmx):
                let seen = structureSeen
                let naming = { (reference: SDMXReference) in
                    seen?.note(reference)
                    return SourcePlanner.sdmxDataset(sdmx, reference: reference)
                }
                switch try sdmxFormat(kind, head: try body.prefix(64), configured: sdmx.format) {
                case .ml:
                    // The stored structure of the flow the source reads splits a structure-specific
                    // message's dimensions from its attributes, and checks its keys.
                    let flow =
                        SourcePlanner.sdmxDataset(sdmx)
                        ?? sdmx.url.flatMap(SourcePlanner.flowInURL).map(SourcePlanner.flowID)
                    // (A URL that names no flow: the one structure the source has, if one.)
                    let known =
                        flow.flatMap { structures[$0] } ?? (structures.count == 1 ? structures.first?.value : nil)
                    return try SDMXMLReader.read(
                        naming: naming, structure: known?.structure, codes: known?.codes ?? [:], url: url,
                        output: output
                    ) { feed in
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

    /// Whether a document's first character (after a BOM and white space) is `{` or `[`.
    static func startsWithBrace(_ head: Data) -> Bool {
        var bytes = head[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        let first = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
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
        mapping.labels = labels.map { ($0.id, $0.column) }
        mapping.decimalSeparator = decimalSeparator
        mapping.thousandsSeparator = thousandsSeparator
        mapping.encoding = encoding
        return mapping
    }
}
