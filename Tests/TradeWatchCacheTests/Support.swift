import Foundation
import TradeWatchCache
import TestSupport
import TradeWatchModel

/// A cache on a real SQLite file, plus helpers to feed it scripted pulls.
struct Fixture {
    let directory = TemporaryDirectory()
    let cache: SQLiteCache
    var clock = Date(timeIntervalSince1970: 1_561_939_200)  // 2019-07-01T00:00:00Z

    init() throws {
        cache = try SQLiteCache(path: directory.file("cache.db"))
    }

    /// Applies `pull` to `source` as a successful fetch one minute after the previous one.
    @discardableResult
    mutating func apply(_ pull: Pull, source: String = "customs", kind: String = "sdmx") throws -> FetchRecord {
        clock += 60
        return try cache.recordFetch(
            source: source, kind: kind, attempt: FetchAttempt(startedAt: clock, url: "http://127.0.0.1/\(source)"),
            result: .parsed(pull), finishedAt: clock)
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
