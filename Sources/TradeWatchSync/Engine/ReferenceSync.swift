import Foundation
import Logging
import TradeWatchCache
import TradeWatchFetch
import TradeWatchFormats
import TradeWatchModel

extension SyncEngine {
    /// Fetches the reference documents of `source` that are due (never fetched, past their
    /// refresh time, or `forced`), each conditionally, and records each on its own. A failure
    /// is logged and recorded on the document, retried after a backoff of its own, and never
    /// fails the data sync: the data are stored without names rather than not at all.
    /// Returns one line per document that failed, for the sync's warnings.
    func syncReferences(
        _ source: SourceConfiguration, daemon: DaemonSettings, logger: Logger, forced: Set<String> = []
    ) async -> [String] {
        let documents = ReferencePlanner.documents(for: source)
        guard !documents.isEmpty else { return [] }
        let states = (try? cache.referenceStates(source: source.name)) ?? []
        var failures: [String] = []
        for document in documents {
            if Task.isCancelled { break }
            let state = states.first { $0.document == document.name }
            // Forced (the data named another structure) at most once an hour: a publisher whose
            // data never name the structure it serves does not cost a request per sync.
            let force =
                forced.contains(document.name)
                && (state?.lastAttempt.map { clock.now.timeIntervalSince($0) >= 3600 } ?? true)
            if !force, let due = state?.nextDue, due > clock.now, state?.url == Redaction.url(document.request.url) {
                continue
            }
            if let failure = await syncReference(document, state: state, source: source, daemon: daemon, logger: logger)
            {
                failures.append(failure)
            }
        }
        return failures
    }

    /// The components whose names a reference list of `source` gives, once it has been
    /// fetched: the names that come with the data (Comtrade's descriptions) are not stored for
    /// them, so that two wordings of one code (`TOTAL` is "All Commodities" in data and "Total
    /// - All H6 commodities" in HS.json) do not replace each other at every sync. Before a
    /// list is fetched, or without one, the data's names are kept.
    func componentsNamedByReferences(_ source: SourceConfiguration) -> Set<String> {
        guard let states = try? cache.referenceStates(source: source.name) else { return [] }
        var named: Set<String> = []
        for document in ReferencePlanner.documents(for: source)
        where states.contains(where: { $0.document == document.name && $0.lastSuccess != nil }) {
            if case .comtradeReference(let file, _) = document.content { named.formUnion(file.components) }
        }
        return named
    }

    /// What the statistics read of `source` takes from earlier syncs: the stored structures
    /// of its SDMX datasets with their codes, and the components a reference list names.
    func statisticsContext(_ source: SourceConfiguration) -> StatisticsContext {
        var context = StatisticsContext(namedElsewhere: componentsNamedByReferences(source))
        // `structure = false`: the data are read without one, whatever an earlier sync stored.
        guard case .sdmx(let sdmx) = source.kind, sdmx.structure else { return context }
        context.structureSeen = StructureSeen()
        for info in (try? cache.datasets(sources: [source.name])) ?? [] {
            guard let structure = info.structure else { continue }
            let labels = (try? cache.labels(source: source.name, dataset: info.dataset)) ?? DatasetLabels()
            var codes: [String: Set<String>] = [:]
            // Only dimensions whose codelist came with codes: an external list says nothing.
            for dimension in structure.dimensions {
                if let named = labels.codes[dimension.id], !named.isEmpty { codes[dimension.id] = Set(named.keys) }
            }
            context.structures[info.dataset] = (structure, codes)
        }
        return context
    }

    /// The structure id the data named when it is not the stored structure's, else nil.
    func structureChanged(_ context: StatisticsContext) -> String? {
        guard let seen = context.structureSeen?.structures, !seen.isEmpty, !context.structures.isEmpty else {
            return nil
        }
        let stored = Set(context.structures.values.compactMap { Self.structureID($0.structure.reference) })
        guard !stored.isEmpty else { return nil }
        return seen.subtracting(stored).sorted().first
    }

    /// `ECB:ECB_EXR1(1.0)` → `ECB_EXR1`.
    static func structureID(_ reference: String?) -> String? {
        guard let reference else { return nil }
        var rest = reference[...]
        if let colon = rest.firstIndex(of: ":") { rest = rest[rest.index(after: colon)...] }
        let id = rest.prefix { $0 != "(" }
        return id.isEmpty ? nil : String(id)
    }

    /// One document: fetch, decode, record. Returns what went wrong, or nil.
    private func syncReference(
        _ document: ReferenceDocument, state: ReferenceState?, source: SourceConfiguration, daemon: DaemonSettings,
        logger: Logger
    ) async -> String? {
        var logger = logger
        logger[metadataKey: "document"] = "\(document.name)"
        let started = Date()
        let url = Redaction.url(document.request.url)
        // Validators only for the URL they were given for (a changed flow is a new document).
        let sameURL = state?.url == url
        let limits = FetchLimits(
            connectTimeout: daemon.connectTimeout, totalTimeout: source.timeout ?? daemon.timeout,
            maxBytes: source.maxBytes ?? daemon.maxBytes)
        let request = FetchRequest(
            url: document.request.url, headers: document.request.headers.map { ($0.name, $0.value) },
            etag: sameURL ? state?.etag : nil, lastModified: sameURL ? state?.lastModified : nil, limits: limits,
            secrets: [])
        var attempt = FetchAttempt(startedAt: started, url: url)
        let result: ReferenceResult
        var failure: String?
        do {
            let response = try await fetcher.fetch(request)
            attempt.httpStatus = response.status
            attempt.bytes = Int64(response.body.count)
            attempt.contentType = response.contentType
            attempt.etag = response.etag ?? (response.notModified ? state?.etag : nil)
            attempt.lastModified = response.lastModified ?? (response.notModified ? state?.lastModified : nil)
            attempt.durationMilliseconds =
                response.duration.components.seconds * 1000
                + response.duration.components.attoseconds / 1_000_000_000_000_000
            if response.notModified {
                attempt.payloadSHA256 = state?.payloadSHA256
                result = .notModified
            } else {
                var hasher = SHA256()
                try response.body.withChunks { chunk in chunk.withUnsafeBytes { hasher.update($0) } }
                let sha = hasher.finalizeHex()
                attempt.payloadSHA256 = sha
                if sameURL, sha == state?.payloadSHA256 {
                    result = .samePayload
                } else {
                    let payload = try Payload(
                        body: response.body, url: response.effectiveURL, contentType: response.contentType)
                    let decoded = try ReferenceDecoder(document: document, url: url).decode(payload)
                    attempt.warnings = decoded.warnings
                    for warning in decoded.warnings.prefix(5) {
                        logger.info("\(warning)", metadata: ["url": "\(url)"])
                    }
                    result = .pulled(decoded.batches)
                }
            }
        } catch {
            let (code, message) = Self.describeReferenceFailure(error, url: url)
            if Task.isCancelled { return nil }
            result = .failed(code: code.rawValue, message: message)
            failure = "\(document.name): \(code): \(message)"
            logger.warning("reference document failed: \(message)", metadata: ["code": "\(code)"])
        }
        let failuresSoFar = state?.consecutiveFailures ?? 0
        let nextDue: Date
        if case .failed = result {
            let backoff = min(
                daemon.retryBase * Int(min(1 << min(failuresSoFar, 20), Int(Int32.max))), document.refresh)
            nextDue = clock.now.addingTimeInterval(Self.seconds(backoff))
        } else {
            nextDue = clock.now.addingTimeInterval(Self.seconds(document.refresh))
        }
        let made = ReferenceFetchToRecord(
            source: source.name, kind: source.kindName, document: document.name, attempt: attempt, result: result,
            nextDue: nextDue)
        do {
            let record = try await offload(groupable: false) { try self.cache.recordReference(made) }
            if let revision = record.revision {
                logger.info(
                    "new revision from reference document",
                    metadata: ["revision": "\(revision.id)"])
            }
        } catch {
            logger.error("the cache refused a reference document: \(error)")
            return failure ?? "\(document.name): cache: \(error)"
        }
        return failure
    }

    private static func describeReferenceFailure(_ error: any Error, url: String) -> (SyncErrorCode, String) {
        switch error {
        case let error as FetchError: (SyncErrorCode(error.code), error.message)
        case let failure as SyncFailure: (failure.code, failure.message)
        case let error as StatisticsError: (SyncErrorCode(error.code), "\(url): \(error)")
        case is CancellationError: (.aborted, "the sync was stopped (daemon shutting down)")
        default: (.parse, "\(url): \(error)")
        }
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// Reads a reference document into the label batches the cache stores.
struct ReferenceDecoder {
    var document: ReferenceDocument
    var url: String

    func decode(_ payload: Payload) throws -> (batches: [LabelBatch], warnings: [String]) {
        switch document.content {
        case .sdmxStructure(let dataset, let dataflow):
            switch payload.kind {
            case .html, .rss, .rdf, .atom, .jsonFeed, .csv, .comtradeJSON:
                throw SyncFailure(
                    code: .unexpectedFormat,
                    message:
                        "\(url): expected an SDMX structure message, the server sent \(PayloadDecoder.describe(payload.kind))"
                )
            default:
                break
            }
            let message =
                try payload.kind == .sdmxJSON || PayloadDecoder.startsWithBrace(try payload.body.prefix(64))
                ? SDMXStructureJSONReader.read(chunks: { feed in try payload.body.withChunks { try feed($0) } })
                : SDMXStructureReader.read(url: url) { feed in try payload.body.withChunks { try feed($0) } }
            var batches = message.batches()
            // The configured flow's batch, stored under the source's dataset id; a whole-url
            // source keeps the batch of the flow its URL names (every one when it names none).
            // A message with no dataflow and one structure definition (a `structure_url` that
            // names the definition itself) is that dataset's structure.
            let only = batches.count == 1 && message.dataflows.isEmpty ? batches.first : nil
            if let dataflow, let match = message.batch(for: dataflow) ?? only {
                var batch = match
                batch.dataset = dataset ?? match.dataset
                if var structure = batch.structure {
                    structure.dataset = batch.dataset
                    batch.structure = structure
                }
                batches = [batch]
            } else if dataflow != nil {
                let found = batches.map(\.dataset).joined(separator: ", ")
                throw SyncFailure(
                    code: .parse,
                    message:
                        "\(url): the structure message does not define the dataflow \(dataflow ?? "") (it defines \(found.isEmpty ? "none" : found))"
                )
            }
            return (batches, message.warnings)
        case .comtradeReference(let file, let dataset):
            guard [.comtradeJSON, .sdmxJSON, .unknown].contains(payload.kind) else {
                throw SyncFailure(
                    code: .unexpectedFormat,
                    message:
                        "\(url): expected a Comtrade reference list (JSON), the server sent \(PayloadDecoder.describe(payload.kind))"
                )
            }
            let read = try ComtradeReference.read(try payload.body.data(), document: file)
            return ([LabelBatch(dataset: dataset, labels: read.labels, complete: read.complete)], read.warnings)
        }
    }
}
