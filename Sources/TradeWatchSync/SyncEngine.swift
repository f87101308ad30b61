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
    public var errorCode: String?
    public var errorMessage: String?
    public var nextDue: Date
    public var duration: Duration
    public var requests: Int

    public var succeeded: Bool { outcome != .failed }

    /// `NAME  OUTCOME  detail`, the line `--once` prints per source.
    public var summaryLine: String {
        var line = "\(source): \(outcome.rawValue)"
        if let revision {
            line += " — revision \(revision.id): +\(revision.added) ~\(revision.changed) -\(revision.removed)"
        }
        if let errorCode { line += " — \(errorCode): \(errorMessage ?? "")" }
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return line + " (\(milliseconds) ms)"
    }
}

/// A sync that could not complete, with a stable code for the cache and status.
struct SyncFailure: Error, CustomStringConvertible {
    var code: String
    var message: String
    var retryAfter: Duration?

    var description: String { "\(code): \(message)" }
}

/// Fetch → validators → parse → reconcile → record, for one source at a time. Any number of
/// syncs may run concurrently; the fetcher bounds the transfers, and the cache's writes run
/// one after another on a dedicated queue so that parsing and SQLite never block Swift's
/// cooperative threads.
public final class SyncEngine: Sendable {
    public let cache: CacheDatabase
    public let fetcher: Fetcher
    private let logger: Logger
    private let environment: [String: String]
    private let writeQueue = DispatchQueue(label: "tradewatch.cache-writer")

    public init(cache: CacheDatabase, fetcher: Fetcher, logger: Logger, environment: [String: String]) {
        self.cache = cache
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
        let clock = ContinuousClock()
        let begin = clock.now
        var logger = self.logger
        logger[metadataKey: "source"] = "\(source.name)"
        let policy = SchedulePolicy(source: source, daemon: daemon)
        let state = try? await offload { try self.cache.syncState(source: source.name) }
        let failuresSoFar = state?.consecutiveFailures ?? 0

        var outcome = SyncOutcome(
            source: source.name, outcome: .notModified, revision: nil, errorCode: nil, errorMessage: nil,
            nextDue: policy.afterSuccess(at: Date(), random: random), duration: .zero, requests: 0)
        do {
            let secret = try resolveCredential(source)
            let requests = SourcePlanner.requests(
                for: source,
                context: PlanContext(
                    lastPullStarted: state?.lastPullStarted, urlOverride: state?.urlOverride, secret: secret))
            for (index, planned) in requests.enumerated() {
                let isLast = index == requests.count - 1
                let record = try await perform(
                    planned, source: source, daemon: daemon, state: state, logger: logger,
                    nextDue: isLast ? outcome.nextDue : nil)
                outcome.requests += 1
                outcome.outcome = Self.merge(outcome.outcome, record.outcome)
                if let revision = record.revision {
                    outcome.revision = revision
                    logger.info(
                        "new revision",
                        metadata: [
                            "revision": "\(revision.id)", "added": "\(revision.added)",
                            "changed": "\(revision.changed)", "removed": "\(revision.removed)",
                        ])
                }
            }
            if requests.isEmpty {
                throw SyncFailure(code: "config", message: "the source's configuration makes no request")
            }
        } catch {
            let failure =
                (error as? SyncFailure) ?? SyncFailure(code: "internal", message: String(describing: error))
            if Task.isCancelled {
                // Stopped by a shutdown: not the source's failure. Its persisted due time
                // stays, so the next start picks it up.
                outcome.outcome = .failed
                outcome.errorCode = "aborted"
                outcome.errorMessage = "the daemon stopped during the sync"
                outcome.duration = clock.now - begin
                logger.info("sync aborted by shutdown")
                return outcome
            }
            let due = policy.afterFailure(at: Date(), failures: failuresSoFar + 1, retryAfter: failure.retryAfter)
            outcome.outcome = .failed
            outcome.errorCode = failure.code
            outcome.errorMessage = failure.message
            outcome.nextDue = due
            logger.warning(
                "sync failed: \(failure.message)",
                metadata: ["code": "\(failure.code)", "retry_in": "\(Int(due.timeIntervalSinceNow.rounded()))s"])
            let attempt = FetchAttempt(startedAt: started, url: Redaction.url(Self.describedURL(source)))
            _ = try? await offload {
                try self.cache.recordFetch(
                    source: source.name, kind: source.kindName, attempt: attempt,
                    result: .failed(code: failure.code, message: failure.message), nextDue: due)
            }
        }
        outcome.duration = clock.now - begin
        return outcome
    }

    /// One request: fetch, short-cut on validators, parse and record.
    private func perform(
        _ planned: PlannedRequest, source: SourceConfiguration, daemon: DaemonSettings, state: SyncState?,
        logger: Logger, nextDue: Date?
    ) async throws -> FetchRecord {
        let started = Date()
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
            throw SyncFailure(code: error.code.rawValue, message: error.message, retryAfter: error.retryAfter)
        } catch is CancellationError {
            throw SyncFailure(code: "aborted", message: "the sync was stopped (daemon shutting down)")
        }
        let redactedURL = Redaction.text(Redaction.url(response.requestedURL), hiding: planned.secrets)
        if let moved = response.permanentRedirect, planned.conditional {
            let target = Redaction.url(moved)
            logger.notice(
                "permanent redirect: using the new URL from now on",
                metadata: ["url": "\(redactedURL)", "to": "\(target)"])
            try await offload { try self.cache.setURLOverride(source: source.name, url: moved) }
        }
        var attempt = FetchAttempt(
            startedAt: started, url: redactedURL, httpStatus: response.status, bytes: response.body.count,
            etag: response.etag ?? (response.notModified ? state?.etag : nil),
            lastModified: response.lastModified ?? (response.notModified ? state?.lastModified : nil),
            contentType: response.contentType, payloadSHA256: nil,
            durationMilliseconds: response.duration.components.seconds * 1000
                + response.duration.components.attoseconds / 1_000_000_000_000_000)
        if response.notModified {
            attempt.payloadSHA256 = state?.payloadSHA256
            let attempt = attempt
            logger.debug("not modified", metadata: ["url": "\(redactedURL)"])
            return try await offload {
                try self.cache.recordFetch(
                    source: source.name, kind: source.kindName, attempt: attempt, result: .notModified, nextDue: nextDue
                )
            }
        }
        let body = response.body
        let sha = try Self.hash(body)
        attempt.payloadSHA256 = sha
        let recorded = attempt
        let raw: RawPayload? =
            source.keepsRaw
            ? (try? RawPayload(data: body.data(), contentType: response.contentType, keep: daemon.keepPayloads)) : nil
        if planned.conditional, sha == state?.payloadSHA256 {
            return try await offload {
                try self.cache.recordFetch(
                    source: source.name, kind: source.kindName, attempt: recorded, result: .samePayload, raw: raw,
                    nextDue: nextDue)
            }
        }
        let decoder = PayloadDecoder(source: source, url: response.effectiveURL, contentType: response.contentType)
        let isFeed = source.kind.isFeed
        return try await offload {
            do {
                if isFeed {
                    let (pull, warnings) = try decoder.feedPull(body)
                    if !warnings.isEmpty {
                        logger.info(
                            "feed read with \(warnings.count) warning(s): \(warnings.first ?? "")",
                            metadata: ["url": "\(redactedURL)"])
                    }
                    return try self.cache.recordFetch(
                        source: source.name, kind: source.kindName, attempt: recorded, result: .parsed(pull), raw: raw,
                        nextDue: nextDue)
                }
                return try self.cache.recordPull(
                    source: source.name, kind: source.kindName, attempt: recorded, mode: planned.mode,
                    observationScope: planned.scope, entryScope: .none, raw: raw, nextDue: nextDue
                ) { sink in try decoder.decodeStatistics(body, into: sink) }
            } catch let failure as SyncFailure {
                throw failure
            } catch let error as CacheError {
                throw SyncFailure(code: "cache", message: "the cache refused the pull: \(error)")
            } catch {
                throw SyncFailure(code: "parse", message: "\(redactedURL): \(error)")
            }
        }
    }

    /// The combined outcome of a sync of several requests: the most telling one wins.
    private static func merge(_ a: FetchRecord.Outcome, _ b: FetchRecord.Outcome) -> FetchRecord.Outcome {
        let rank: [FetchRecord.Outcome: Int] = [.notModified: 0, .unchanged: 1, .changed: 2, .failed: 3]
        return (rank[b] ?? 0) > (rank[a] ?? 0) ? b : a
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
                    code: "credential", message: "the environment variable \(name) (key_env) is not set or empty")
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
                    code: "credential",
                    message:
                        "key_file \"\(name)\" is relative but $CREDENTIALS_DIRECTORY is not set (systemd's LoadCredential= sets it; or give an absolute path)"
                )
            }
            guard let data = FileManager.default.contents(atPath: path),
                let text = String(data: data, encoding: .utf8)
            else {
                throw SyncFailure(code: "credential", message: "cannot read the key file \(path) (key_file)")
            }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else {
                throw SyncFailure(code: "credential", message: "the key file \(path) is empty")
            }
            return value
        }
    }

    /// Runs blocking cache work (and the parsing inside a pull) on the writer queue.
    func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            writeQueue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
