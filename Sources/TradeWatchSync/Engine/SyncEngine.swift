public import Foundation
public import Logging
public import TradeWatchCache
public import TradeWatchFetch
import TradeWatchFormats
import TradeWatchModel

/// What one sync of one source came to.
public struct SyncOutcome: Sendable {
    public var source: String
    public var outcome: FetchRecord.Outcome
    public var revision: RevisionSummary?
    public var errorCode: SyncErrorCode?
    public var errorMessage: String?
    public var nextDue: Date
    public var duration: Duration
    public var requests: Int
    /// What reading the payload noticed without failing (also stored with the fetch).
    public var warnings: [String] = []

    public var succeeded: Bool { outcome != .failed }

    /// `NAME  OUTCOME  detail`, the line `--once` prints per source: one line, whatever the
    /// publisher's error text holds (see ``TerminalText``).
    public var summaryLine: String {
        var line = "\(TerminalText.line(source)): \(outcome.rawValue)"
        if let revision {
            line += " — revision \(revision.id): +\(revision.added) ~\(revision.changed) -\(revision.removed)"
            if revision.labels > 0 { line += " (\(revision.labels) labels)" }
        }
        if let errorCode { line += " — " + TerminalText.line("\(errorCode): \(errorMessage ?? "")") }
        if let warning = warnings.first {
            let more = warnings.count > 1 ? " (and \(warnings.count - 1) more)" : ""
            line += " — warning: " + TerminalText.line(warning, limit: 200) + more
        }
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return line + " (\(milliseconds) ms)"
    }
}

/// A sync that could not complete, with a stable code for the cache and status.
struct SyncFailure: Error, CustomStringConvertible {
    var code: SyncErrorCode
    var message: String
    var retryAfter: Duration?

    var description: String { "\(code): \(message)" }
}

/// Fetch → validators → parse → reconcile → record, for one source at a time. Any number of
/// syncs may run concurrently; the fetcher bounds the transfers, and the cache's writes run
/// one after another on a dedicated queue so that parsing and SQLite never block Swift's
/// cooperative threads.
public final class SyncEngine: Sendable {
    /// The cache it records into; the scheduler also reads sources' status through it.
    public let cache: any CacheStore
    public let fetcher: Fetcher
    private let logger: Logger
    private let environment: [String: String]
    private let writes: CacheWriteQueue
    /// The time due dates are computed from (the scheduler's clock).
    let clock: any SchedulerClock

    public init(
        cache: any CacheStore, fetcher: Fetcher, logger: Logger, environment: [String: String],
        clock: any SchedulerClock = SystemSchedulerClock()
    ) {
        self.clock = clock
        self.cache = cache
        self.writes = CacheWriteQueue(cache: cache)
        self.fetcher = fetcher
        self.logger = logger
        self.environment = environment
    }

    /// Syncs `source` once and records the attempt. Never throws: every failure is recorded
    /// on the source and returned.
    public func sync(
        _ source: SourceConfiguration, daemon: DaemonSettings, random: Double = Double.random(in: 0..<1)
    ) async -> SyncOutcome {
        let started = Date()
        let stopwatch = ContinuousClock()
        let begin = stopwatch.now
        var logger = self.logger
        logger[metadataKey: "source"] = "\(source.name)"
        let policy = SchedulePolicy(source: source, daemon: daemon)
        // A pool read: it need not queue behind the writes on the write queue.
        let state = try? cache.syncState(source: source.name)
        let failuresSoFar = state?.consecutiveFailures ?? 0

        var outcome = SyncOutcome(
            source: source.name, outcome: .notModified, revision: nil, errorCode: nil, errorMessage: nil,
            nextDue: policy.afterSuccess(at: clock.now, random: random), duration: .zero, requests: 0)
        // The source's key, hidden in every form from messages, log lines and kept payloads.
        var secrets: [String] = []
        do {
            let secret = try resolveCredential(source)
            secrets = secret.map { [$0] } ?? []
            let requests = SourcePlanner.requests(
                for: source,
                context: PlanContext(
                    lastPullStarted: state?.lastPullStarted, urlOverride: state?.urlOverride, secret: secret))
            guard !requests.isEmpty else {
                throw SyncFailure(code: .config, message: "the source's configuration makes no request")
            }
            // Secrets written in a URL itself (a token parameter, a password) are hidden as well.
            for url in Set(requests.map(\.url)) {
                for found in Redaction.secrets(inURL: url) where !found.isEmpty && !secrets.contains(found) {
                    secrets.append(found)
                }
            }
            logger = logger.hiding(secrets)
            // Names first (structures, reference lists), when due: the data read that follows
            // splits a structure-specific message by the structure. Never fails the sync.
            var referenceFailures = await syncReferences(source, daemon: daemon, logger: logger)
            let context = statisticsContext(source)
            let record = try await perform(
                requests, source: source, daemon: daemon, state: state, logger: logger, nextDue: outcome.nextDue,
                secrets: secrets, context: context)
            // The data name another structure than the one stored: it changed; fetch it now
            // (conditionally), for the next pull.
            if let named = structureChanged(context) {
                logger.notice("the data follow another structure (\(named)): fetching it again")
                let structures = ReferencePlanner.documents(for: source).filter {
                    if case .sdmxStructure = $0.content { return true }
                    return false
                }
                referenceFailures += await syncReferences(
                    source, daemon: daemon, logger: logger, forced: Set(structures.map(\.name)))
            }
            outcome.requests = requests.count
            outcome.outcome = record.outcome
            outcome.warnings = record.warnings + referenceFailures
            if let revision = record.revision {
                outcome.revision = revision
                logger.info(
                    "new revision",
                    metadata: [
                        "revision": "\(revision.id)", "added": "\(revision.added)",
                        "changed": "\(revision.changed)", "removed": "\(revision.removed)",
                    ])
            }
        } catch {
            let caught =
                (error as? SyncFailure) ?? SyncFailure(code: .internal, message: String(describing: error))
            let failure = SyncFailure(
                code: caught.code, message: Redaction.text(caught.message, hiding: secrets),
                retryAfter: caught.retryAfter)
            if Task.isCancelled {
                // Stopped by a shutdown: not the source's failure. Its persisted due time
                // stays, so the next start picks it up.
                outcome.outcome = .failed
                outcome.errorCode = .aborted
                outcome.errorMessage = "the daemon stopped during the sync"
                outcome.duration = stopwatch.now - begin
                logger.info("sync aborted by shutdown")
                return outcome
            }
            let due = policy.afterFailure(at: clock.now, failures: failuresSoFar + 1, retryAfter: failure.retryAfter)
            outcome.outcome = .failed
            outcome.errorCode = failure.code
            outcome.errorMessage = failure.message
            outcome.nextDue = due
            logger.warning(
                "sync failed: \(failure.message)",
                metadata: [
                    "code": "\(failure.code)", "retry_in": "\(Int(due.timeIntervalSince(clock.now).rounded()))s",
                ])
            let attempt = FetchAttempt(startedAt: started, url: Redaction.url(Self.describedURL(source)))
            _ = try? await offload {
                try self.cache.record(
                    source: source.name, kind: source.kindName, attempt: attempt,
                    result: .failed(code: failure.code.rawValue, message: failure.message), nextDue: due)
            }
        }
        outcome.duration = stopwatch.now - begin
        return outcome
    }

    /// One response, its URL as it may be shown.
    private struct Fetched {
        var response: FetchResponse
        var redactedURL: String
    }

    /// The requests of one sync, fetched one after another (publishers with several calls per
    /// query, like Comtrade, limit the rate per key), then recorded as one fetch and at most
    /// one revision.
    private func perform(
        _ requests: [PlannedRequest], source: SourceConfiguration, daemon: DaemonSettings, state: SyncState?,
        logger: Logger, nextDue: Date, secrets: [String], context: StatisticsContext
    ) async throws -> FetchRecord {
        let started = Date()
        var fetched: [Fetched] = []
        for planned in requests {
            fetched.append(try await fetch(planned, source: source, daemon: daemon, state: state, logger: logger))
        }
        let first = fetched[0]
        var attempt = FetchAttempt(
            startedAt: started,
            url: first.redactedURL + (fetched.count > 1 ? " (and \(fetched.count - 1) more calls)" : ""),
            httpStatus: fetched.last?.response.status, bytes: fetched.reduce(0) { $0 + $1.response.body.count },
            etag: nil, lastModified: nil, contentType: first.response.contentType, payloadSHA256: nil,
            durationMilliseconds: fetched.reduce(Int64(0)) {
                $0 + $1.response.duration.components.seconds * 1000
                    + $1.response.duration.components.attoseconds / 1_000_000_000_000_000
            })
        if fetched.count == 1 {
            let response = first.response
            attempt.etag = response.etag ?? (response.notModified ? state?.etag : nil)
            attempt.lastModified = response.lastModified ?? (response.notModified ? state?.lastModified : nil)
            if response.notModified {
                attempt.payloadSHA256 = state?.payloadSHA256
                let attempt = attempt
                logger.debug("not modified", metadata: ["url": "\(first.redactedURL)"])
                return try await record(logger: logger, url: first.redactedURL) {
                    FetchToRecord(
                        source: source.name, kind: source.kindName, attempt: attempt, result: .notModified,
                        nextDue: nextDue)
                }
            }
        }
        // Several answers are kept together as one JSON array (Comtrade answers are JSON).
        let combined: FetchBody? = fetched.count == 1 ? nil : .memory(try Self.jsonArray(fetched.map(\.response.body)))
        let sha = try Self.hash(combined ?? first.response.body)
        attempt.payloadSHA256 = sha
        // The proof of publication is compressed from the body in chunks (a spilled body is
        // read from its file), never loaded whole.
        let payloadBody = combined ?? first.response.body
        let raw: RawPayload? =
            source.keepsRaw
            ? try RawPayload.keeping(
                payloadBody, contentType: first.response.contentType, keep: daemon.keepPayloads, secrets: secrets)
            : nil
        if sha == state?.payloadSHA256 {
            let attempt = attempt
            return try await record(logger: logger, url: first.redactedURL) {
                FetchToRecord(
                    source: source.name, kind: source.kindName, attempt: attempt, result: .samePayload, raw: raw,
                    nextDue: nextDue)
            }
        }

        // Decode: each payload sniffed once, then one strategy per source kind.
        let payloads: [Payload]
        do {
            payloads = try fetched.map {
                try Payload(body: $0.response.body, url: $0.response.effectiveURL, contentType: $0.response.contentType)
            }
        } catch {
            throw SyncFailure(code: .io, message: "\(first.redactedURL): cannot read the body kept on disk: \(error)")
        }
        let decoded: DecodedPull
        if source.kind.isFeed {
            let feed: (pull: Pull, entries: PreparedEntries, warnings: [String])
            do {
                feed = try PayloadDecoder(source: source, url: payloads[0].url, contentType: payloads[0].contentType)
                    .decodeFeed(payloads[0])
            } catch let failure as SyncFailure {
                throw failure
            } catch {
                throw SyncFailure(code: .parse, message: "\(first.redactedURL): \(error)")
            }
            if !feed.warnings.isEmpty {
                logger.info(
                    "feed read with \(feed.warnings.count) warning(s): \(feed.warnings.first ?? "")",
                    metadata: ["url": "\(first.redactedURL)"])
            }
            attempt.warnings = feed.warnings.map { Redaction.text($0, hiding: secrets) }
            decoded = .feed(feed.pull, feed.entries)
        } else {
            var scope = requests[0].scope
            for request in requests.dropFirst() { scope.formUnion(request.scope) }
            decoded = .statistics(
                mode: requests[0].mode, scope: scope, payloads: payloads,
                context: context)
        }

        // Record: one call. A feed, prepared already, may share a transaction with other
        // syncs' writes; statistics parse inside their own write, streaming into it.
        let attemptMade = attempt
        var groupable = false
        if case .feed = decoded { groupable = true }
        return try await record(groupable: groupable, logger: logger, url: first.redactedURL, otherwise: .parse) {
            FetchToRecord(
                source: source.name, kind: source.kindName, attempt: attemptMade,
                result: .pulled(decoded.pullContent(source: source, secrets: secrets, logger: logger)), raw: raw,
                nextDue: nextDue)
        }
    }

    /// Records a fetch on the cache's writer thread. A cache that refuses is the `cache` code
    /// (with what SQLite said in the log), whatever was being recorded; any other failure is
    /// `otherwise`: `parse` for a pull (its parser runs inside the write, and throws a
    /// classified failure when it can), `internal` when nothing was parsed.
    private func record(
        groupable: Bool = true, logger: Logger, url: String, otherwise: SyncErrorCode = .internal,
        _ make: @escaping @Sendable () -> FetchToRecord
    ) async throws -> FetchRecord {
        do {
            return try await offload(groupable: groupable) { try self.cache.record(make()) }
        } catch let failure as SyncFailure {
            throw failure
        } catch let error as CacheError {
            throw Self.refused(error, logger: logger)
        } catch {
            throw SyncFailure(code: otherwise, message: "\(url): \(error)")
        }
    }

    /// A write the cache refused, as the sync's failure; what the storage engine said goes to the log.
    private static func refused(_ error: CacheError, logger: Logger) -> SyncFailure {
        var metadata: Logger.Metadata = ["cache_code": "\(error.code.rawValue)"]
        if let underlying = error.underlying {
            metadata["storage_code"] = "\(underlying.code)"
            metadata["statement"] = "\(underlying.statement?.prefix(200) ?? "")"
        }
        logger.error("the cache refused a write: \(error.message)", metadata: metadata)
        return SyncFailure(code: .cache, message: "the cache refused the pull: \(error)")
    }

    /// Fetches one request; a permanent redirect is remembered for the next syncs.
    private func fetch(
        _ planned: PlannedRequest, source: SourceConfiguration, daemon: DaemonSettings, state: SyncState?,
        logger: Logger
    ) async throws -> Fetched {
        let limits = FetchLimits(
            connectTimeout: daemon.connectTimeout, totalTimeout: source.timeout ?? daemon.timeout,
            maxBytes: source.maxBytes ?? daemon.maxBytes)
        let request = FetchRequest(
            url: planned.url, headers: planned.headers.map { ($0.name, $0.value) },
            etag: planned.conditional ? state?.etag : nil,
            lastModified: planned.conditional ? state?.lastModified : nil,
            limits: limits, secrets: planned.secrets)
        let response: FetchResponse
        do {
            response = try await fetcher.fetch(request)
        } catch let error as FetchError {
            throw SyncFailure(code: SyncErrorCode(error.code), message: error.message, retryAfter: error.retryAfter)
        } catch is CancellationError {
            throw SyncFailure(code: .aborted, message: "the sync was stopped (daemon shutting down)")
        }
        let redactedURL = Redaction.text(Redaction.url(response.requestedURL), hiding: planned.secrets)
        if let moved = response.permanentRedirect, planned.conditional {
            logger.notice(
                "permanent redirect: using the new URL from now on",
                metadata: ["url": "\(redactedURL)", "to": "\(Redaction.url(moved))"])
            do {
                try await offload {
                    try self.cache.daemonState.rememberRedirect(source: source.name, kind: source.kindName, url: moved)
                }
            } catch let error as CacheError {
                throw Self.refused(error, logger: logger)
            }
        }
        return Fetched(response: response, redactedURL: redactedURL)
    }

    private static func jsonArray(_ bodies: [FetchBody]) throws -> Data {
        var out = Data("[\n".utf8)
        for (index, body) in bodies.enumerated() {
            if index > 0 { out.append(contentsOf: Array(",\n".utf8)) }
            out.append(try body.data())
        }
        out.append(contentsOf: Array("\n]\n".utf8))
        return out
    }

    private static func hash(_ body: FetchBody) throws -> String {
        var hasher = SHA256()
        try body.withChunks { chunk in chunk.withUnsafeBytes { hasher.update($0) } }
        return hasher.finalizeHex()
    }

    private static func describedURL(_ source: SourceConfiguration) -> String {
        switch source.kind {
        case .feed(let feed): feed.url
        case .csv(let csv): csv.url
        case .sdmx(let sdmx): sdmx.url ?? sdmx.baseURL ?? ""
        case .comtrade(let comtrade): comtrade.baseURL
        }
    }

    private func resolveCredential(_ source: SourceConfiguration) throws -> String? {
        switch source.credential {
        case nil:
            return nil
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else {
                throw SyncFailure(
                    code: .credential, message: "the environment variable \(name) (key_env) is not set or empty")
            }
            return value
        case .file(let name):
            let path: String
            if name.hasPrefix("/") {
                path = name
            } else if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty {
                path = directory + "/" + name
            } else {
                throw SyncFailure(
                    code: .credential,
                    message:
                        "key_file \"\(name)\" is relative but $CREDENTIALS_DIRECTORY is not set (systemd's LoadCredential= sets it; or give an absolute path)"
                )
            }
            guard let data = FileManager.default.contents(atPath: path),
                let text = String(data: data, encoding: .utf8)
            else {
                throw SyncFailure(code: .credential, message: "cannot read the key file \(path) (key_file)")
            }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else {
                throw SyncFailure(code: .credential, message: "the key file \(path) is empty")
            }
            return value
        }
    }

    /// Runs blocking cache work on the writer thread; `groupable` work (quick, with everything
    /// in memory) may share its transaction with other syncs' writes. The parsing inside a
    /// statistics pull streams into its write, which runs alone.
    func offload<T: Sendable>(groupable: Bool = true, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await writes.submit(groupable: groupable, work)
    }
}
