import Foundation
import Testing
@testable import TradeWatchCache
import TestSupport
import TradeWatchFormats
import TradeWatchModel

/// The cache backends. The semantics suites (reconcile, as-of, history, search, the diff
/// oracle, batches, streaming; each ends with `verify` passing) take one as their argument and
/// run once per backend, through `CacheReader` and `CacheWriter` only: a second backend is
/// added here and runs the same tests. Tests that corrupt or inspect SQLite's own files use
/// `Fixture.sqlite`.
enum CacheBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite

    var testDescription: String { rawValue }

    /// A new, empty cache of this backend in `directory`.
    func open(in directory: TemporaryDirectory) throws -> any CacheStore {
        switch self {
        case .sqlite: try SQLiteCache(path: directory.file("cache.db"))
        }
    }
}

/// A new cache of the given backend (a real database), plus helpers to feed it scripted pulls.
struct Fixture {
    let directory = TemporaryDirectory()
    let backend: CacheBackend
    let cache: any CacheStore
    var clock = Date(timeIntervalSince1970: 1_561_939_200)  // 2019-07-01T00:00:00Z

    init(_ backend: CacheBackend = .sqlite) throws {
        self.backend = backend
        cache = try backend.open(in: directory)
    }

    /// The SQLite cache itself, for the tests of what only SQLite has (its files, its pages).
    var sqlite: SQLiteCache {
        get throws { try #require(cache as? SQLiteCache, "a test of the SQLite backend ran on \(backend)") }
    }

    /// Applies `pull` to `source` as a successful fetch one minute after the previous one.
    @discardableResult
    mutating func apply(_ pull: Pull, source: String = "customs", kind: String = "sdmx") throws -> FetchRecord {
        clock += 60
        return try cache.record(
            source: source, kind: kind, attempt: FetchAttempt(startedAt: clock, url: "http://127.0.0.1/\(source)"),
            result: .pulled(PullContent(pull, searchText: HTMLCleaner.text)), finishedAt: clock)
    }
}

func observation(
    _ cmd: String, _ period: String, _ value: String?, status: String? = nil, dataset: String = "TRADE",
    attributes: [String: String] = [:]
) -> Observation {
    Observation(
        dataset: dataset, series: SeriesKey(["FREQ": "M", "REPORTER": "156", "PARTNER": "408", "CMD": cmd]),
        period: Period(period), value: value, unit: "USD", status: status, attributes: attributes)
}

func snapshot(_ observations: [Observation], scope: ObservationScope = .wholeSource) -> Pull {
    Pull(mode: .snapshot, observations: observations, observationScope: scope)
}

func key(_ cmd: String, _ period: String, dataset: String = "TRADE") -> ObservationKey {
    observation(cmd, period, nil, dataset: dataset).key
}
