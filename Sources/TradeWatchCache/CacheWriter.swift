public import Foundation
public import TradeWatchModel

/// What writes the versioned cache: the sync engine, one writer per cache.
///
/// Every recorded fetch is one transaction: its fetch row, its revision (if it changed
/// anything), its kept payload and the source's scheduling state, all or nothing. Errors are
/// ``CacheError``.
public protocol CacheWriter: Sendable {
    /// Where the cache lives, as a user would name it in `--db`.
    /// It is shown and logged, so it never holds a secret (a backend reached with a password
    /// shows its address without it).
    var location: String { get }
    /// Set when the cache is found damaged: every write but the heartbeat refuses from then on.
    var health: CacheHealth { get }
    /// The daemon's own rows: heartbeat, permanent redirects.
    var daemonState: any DaemonStateStore { get }

    /// The persisted scheduling state of `source` (validators, due time, failures), nil when
    /// the cache has never seen it.
    func syncState(source: String) throws -> SyncState?

    /// Makes a source known to the cache (or updates its kind) and returns its id.
    @discardableResult
    func registerSource(name: String, kind: String, at date: Date) throws -> Int64

    /// Records one fetch of `source` and what it came to — the one way a sync reaches the
    /// cache. A pulled result is reconciled into at most one revision in the same transaction;
    /// when its producer throws, nothing is written and the error is rethrown (record the
    /// failure with a `.failed` result).
    @discardableResult
    func record(_ fetch: FetchToRecord) throws -> FetchRecord

    /// Records one fetch of a source's reference document (a structure, a reference list):
    /// its fetch row, the document's own validators and due time, and, when its labels or
    /// structures change anything, one revision of the source — all or nothing.
    @discardableResult
    func recordReference(_ fetch: ReferenceFetchToRecord) throws -> FetchRecord
    /// The state of each reference document of `source`.
    func referenceStates(source: String) throws -> [ReferenceState]

    /// Runs `jobs` (closures that call `record`) in one transaction, each in a savepoint of
    /// its own: one commit for many small fetches, while a job that throws leaves nothing
    /// behind and the others commit. Returns each job's error (nil for success); throws,
    /// having written nothing, when the storage itself fails.
    func writeBatch(_ jobs: [() throws -> Void]) throws -> [(any Error)?]

    /// A fast structural check of the storage; empty when sound.
    func quickCheck() throws -> [String]
    /// Records what an integrity check found, where readers (`status`) see it even while the
    /// storage itself cannot be trusted; `clearRecordedDamage` forgets it once a check passes.
    func recordDamage(_ damage: CacheDamage) throws
    func clearRecordedDamage()
}

extension CacheWriter {
    @discardableResult
    public func registerSource(name: String, kind: String) throws -> Int64 {
        try registerSource(name: name, kind: kind, at: Date())
    }

    /// `record` with its fields spelled out.
    @discardableResult
    public func record(
        source: String, kind: String, attempt: FetchAttempt, result: FetchResult, raw: RawPayload? = nil,
        nextDue: Date? = nil, finishedAt: Date = Date()
    ) throws -> FetchRecord {
        try record(
            FetchToRecord(
                source: source, kind: kind, attempt: attempt, result: result, raw: raw, nextDue: nextDue,
                finishedAt: finishedAt))
    }
}

/// One fetch as the sync engine hands it to `CacheWriter.record`.
public struct FetchToRecord {
    public var source: String
    public var kind: String
    public var attempt: FetchAttempt
    public var result: FetchResult
    /// The payload to keep as proof of publication, when the source keeps raw bytes.
    public var raw: RawPayload?
    /// When the scheduler wants the source again; stored so a restart resumes it.
    public var nextDue: Date?
    public var finishedAt: Date

    public init(
        source: String, kind: String, attempt: FetchAttempt, result: FetchResult, raw: RawPayload? = nil,
        nextDue: Date? = nil, finishedAt: Date = Date()
    ) {
        self.source = source
        self.kind = kind
        self.attempt = attempt
        self.result = result
        self.raw = raw
        self.nextDue = nextDue
        self.finishedAt = finishedAt
    }
}

/// The daemon's own state in the cache, apart from what it syncs: the heartbeat `status`
/// reads, and the permanent redirects later syncs follow. (Due times and validators are
/// written with each recorded fetch.)
public protocol DaemonStateStore: Sendable {
    /// Writes the daemon's heartbeat; written even once the cache is found damaged, so
    /// monitors still see the daemon alive.
    func beat(
        pid: Int32, version: String, startedAt: Date, status: String?, controlSocket: String?, at date: Date)
        throws
    /// Marks the daemon as stopped cleanly, so `status` tells a stop from a crash.
    func markStopped(pid: Int32, at date: Date) throws
    /// Remembers a permanent redirect: later syncs of `source` go straight to `url` (nil forgets it).
    func rememberRedirect(source: String, kind: String, url: String?) throws
}

extension DaemonStateStore {
    public func beat(
        pid: Int32, version: String, startedAt: Date, status: String?, controlSocket: String? = nil
    )
        throws
    {
        try beat(
            pid: pid, version: version, startedAt: startedAt, status: status, controlSocket: controlSocket, at: Date())
    }

    public func markStopped(pid: Int32) throws { try markStopped(pid: pid, at: Date()) }
}

/// A cache that can be both read and written (the daemon's, a test's).
public typealias CacheStore = CacheReader & CacheWriter
