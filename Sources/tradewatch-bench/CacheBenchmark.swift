import ArgumentParser
import Foundation
import GRDB
import GRDBSQLite
import TradeWatchCache
import TradeWatchFormats
import TradeWatchModel

struct CacheBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Reconcile, diff and scan a large statistics source; compare with raw SQLite inserts.")

    @Option(help: "Observations in the generated source.")
    var rows = 1_000_000

    @Option(help: "Where the benchmark's databases go (removed afterwards unless --keep).")
    var directory = NSTemporaryDirectory()

    @Flag(help: "Keep the databases, to look at them afterwards.")
    var keep = false

    func run() async throws {
        let folder = directory + "/tradewatch-bench-cache-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(atPath: folder) } }
        let source = SyntheticStatistics(observations: rows)
        let n = Double(source.count)

        let cache = try SQLiteCache(path: folder + "/cache.db")

        // Observations are generated as reconcile asks for them, as a streaming parser hands
        // them over: the pull never sits in memory.
        ResourceUsage.resetPeak()
        var clock = ContinuousClock.now
        let first = try stream(cache) { sink in
            for index in 0..<source.count { try sink.add(source.observation(index)) }
        }
        let loadSeconds = ResourceUsage.seconds(.now - clock)
        var figures: [Figure] = []
        figures.append(
            Figure(
                benchmark: "cache", figure: "(a) first load of \(source.count) observations", unit: "rows/s",
                tradewatch: n / loadSeconds, peerName: "raw SQLite C API insert", goal: ">= 0.5 of baseline"))

        clock = .now
        let again = try stream(cache) { sink in
            for index in 0..<source.count { try sink.add(source.observation(index)) }
        }
        let againSeconds = ResourceUsage.seconds(.now - clock)
        guard again.revision == nil else { throw ValidationError("the same pull changed something") }
        Figure(
            benchmark: "cache", figure: "(b) the same pull again (seconds, peer = first load)", unit: "s",
            tradewatch: againSeconds, peer: loadSeconds, peerName: "(a) first load", goal: "< 0.5 of (a)"
        ).emit()

        // (c) 1% revised, 0.1% removed, 0.1% new.
        let extra = SyntheticStatistics(observations: source.count + source.count / 1000)
        var pulled = 0
        clock = .now
        let revised = try stream(cache) { sink in
            for index in 0..<source.count where index % 1000 != 3 {
                try sink.add(source.observation(index, round: 1))
                pulled += 1
            }
            for index in source.count..<extra.count {
                try sink.add(extra.observation(index))
                pulled += 1
            }
        }
        let revisedSeconds = ResourceUsage.seconds(.now - clock)
        let revision = revised.revision
        figures.append(
            Figure(
                benchmark: "cache",
                figure:
                    "(c) revision pull: +\(revision?.added ?? 0) ~\(revision?.changed ?? 0) -\(revision?.removed ?? 0)",
                unit: "rows/s", tradewatch: Double(pulled) / revisedSeconds, peerName: "raw SQLite C API insert"))

        let to = revision?.id ?? 0
        let from = first.revision?.id ?? 0
        let diffs = try timedDiffs(folder + "/cache.db", from: from, to: to)
        Figure(
            benchmark: "cache", figure: "(d) diff of (c): \(diffs.changes) changes (median of 5)", unit: "ms",
            tradewatch: median(diffs.milliseconds), goal: "< 100 ms"
        ).emit()

        clock = .now
        var scanned = 0
        try cache.forEachObservation(at: to) { _ in scanned += 1 }
        Figure(
            benchmark: "cache", figure: "(e) as-of scan of \(scanned) rows", unit: "rows/s",
            tradewatch: Double(scanned) / ResourceUsage.seconds(.now - clock)
        ).emit()
        Figure(
            benchmark: "cache", figure: "peak RSS over (a)-(e)", unit: "MiB", tradewatch: ResourceUsage.peakMiB(),
            goal: "< 250 MiB"
        ).emit()

        try diffScaling(folder: folder, large: cache, largeSource: source)

        // Last, so that its own million rows in memory do not count in the peak above.
        let baselineRate = try baseline(source, schemaFrom: cache, path: folder + "/baseline.db")
        for var figure in figures {
            figure.peer = baselineRate
            figure.emit()
        }
    }

    /// The same 10,000 changes diffed in a 100,000-row and in the large cache: the same keys
    /// (every tenth of the first 100,000 observations, which both caches hold) revised the
    /// same way, so the two diffs differ only in the size of the table around them.
    private func diffScaling(folder: String, large: SQLiteCache, largeSource: SyntheticStatistics) throws {
        func tenThousandChanges(_ source: SyntheticStatistics, round: Int) -> [Observation] {
            (0..<source.count).map { index in
                var observation = source.observation(index, round: 1)
                if index < 100_000 && index % 10 == 0 { observation.value = (observation.value ?? "") + "\(round)" }
                return observation
            }
        }
        let small = try SQLiteCache(path: folder + "/small.db")
        let smallSource = SyntheticStatistics(observations: 100_020)  // whole series: 100,020 rows
        var ranges: [(path: String, from: Int64, to: Int64)] = []
        for (cache, source, path) in [(small, smallSource, "/small.db"), (large, largeSource, "/cache.db")] {
            try apply(cache, source.all(round: 1))  // both start from the same figures
            let before = try cache.resolve(.latest)
            let record = try apply(cache, tenThousandChanges(source, round: 7))
            ranges.append((folder + path, before, record.revision?.id ?? before))
        }
        // Taken in turns, so that both see the same moments of this shared machine.
        var timings: [[Double]] = [[], []]
        for _ in 0..<5 {
            for (index, range) in ranges.enumerated() {
                let diff = try timedDiffs(range.path, from: range.from, to: range.to, repeats: 1)
                guard diff.changes == 10_000 else {
                    throw ValidationError("expected 10,000 changes, got \(diff.changes)")
                }
                timings[index] += diff.milliseconds
            }
        }
        Figure(
            benchmark: "cache",
            figure: "diff of 10,000 changes: \(largeSource.count) rows vs \(smallSource.count) rows (median of 5)",
            unit: "ms", tradewatch: median(timings[1]), peer: median(timings[0]),
            peerName: "same diff in \(smallSource.count) rows",
            goal: "ratio near 1 (cost follows changes, not table size)"
        ).emit()
    }

    /// Times `repeats` diffs, each through a reader opened for it, as a CLI run would be (SQLite's
    /// own page cache starts empty; opening is not timed).
    private func timedDiffs(
        _ path: String, from: Int64, to: Int64, repeats: Int = 5
    ) throws -> (milliseconds: [Double], changes: Int) {
        var milliseconds: [Double] = []
        var changes = 0
        for _ in 0..<repeats {
            let reader = try SQLiteCache(path: path, access: .readOnly)
            let clock = ContinuousClock.now
            changes = try reader.diff(from: from, to: to).observations.count
            milliseconds.append(ResourceUsage.seconds(.now - clock) * 1000)
        }
        return (milliseconds, changes)
    }

    private static var readOnly: Configuration {
        var configuration = Configuration()
        configuration.readonly = true
        return configuration
    }

    private func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    private func stream(
        _ cache: SQLiteCache, _ produce: @escaping (PullSink) throws -> Void
    ) throws
        -> FetchRecord
    {
        try cache.record(
            source: "customs", kind: "sdmx", attempt: FetchAttempt(startedAt: Date(), url: "http://127.0.0.1/bench"),
            result: .pulled(PullContent(mode: .snapshot, observationScope: .wholeSource, produce: produce)))
    }

    @discardableResult
    private func apply(_ cache: SQLiteCache, _ observations: [Observation]) throws -> FetchRecord {
        try cache.record(
            source: "customs", kind: "sdmx", attempt: FetchAttempt(startedAt: Date(), url: "http://127.0.0.1/bench"),
            result: .pulled(
                PullContent(
                    Pull(observations: observations, observationScope: .wholeSource), searchText: HTMLCleaner.text)))
    }

    /// Rows per second for the same rows through sqlite3_prepare/bind/step in one transaction,
    /// into a table with the cache's own observation schema and indexes.
    private func baseline(
        _ source: SyntheticStatistics, schemaFrom cache: SQLiteCache, path: String
    ) throws
        -> Double
    {
        // The cache's own schema, read from its file as any SQLite client would.
        let schema = try DatabaseQueue(path: cache.location, configuration: Self.readOnly).read { db in
            try String.fetchAll(
                db,
                sql:
                    "SELECT sql FROM sqlite_master WHERE tbl_name IN ('series', 'observation') AND sql IS NOT NULL ORDER BY type DESC"
            )
        }
        let observations = source.all()
        var db: OpaquePointer?
        guard sqlite3_open(path, &db) == SQLITE_OK, let db else { throw ValidationError("cannot open \(path)") }
        defer { sqlite3_close(db) }
        sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nil, nil, nil)
        for statement in schema { sqlite3_exec(db, statement, nil, nil, nil) }
        let clock = ContinuousClock.now
        sqlite3_exec(db, "BEGIN", nil, nil, nil)
        var insertSeries: OpaquePointer?
        sqlite3_prepare_v2(
            db, "INSERT INTO series (id, source_id, dataset, series_key) VALUES (?, 1, ?, ?)", -1, &insertSeries, nil)
        var insert: OpaquePointer?
        sqlite3_prepare_v2(
            db,
            """
            INSERT INTO observation (series_id, period, period_start, period_end, value, number, unit, unit_mult,
                status, attributes, hash, from_rev) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
            """, -1, &insert, nil)
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        let perSeries = source.periods.count
        for (index, o) in observations.enumerated() {
            let seriesID = Int64(index / perSeries + 1)
            if index % perSeries == 0 {
                sqlite3_reset(insertSeries)
                sqlite3_bind_int64(insertSeries, 1, seriesID)
                sqlite3_bind_text(insertSeries, 2, o.dataset, -1, transient)
                sqlite3_bind_text(insertSeries, 3, o.series.canonical, -1, transient)
                guard sqlite3_step(insertSeries) == SQLITE_DONE else { throw ValidationError("baseline insert failed") }
            }
            sqlite3_reset(insert)
            sqlite3_bind_int64(insert, 1, seriesID)
            sqlite3_bind_text(insert, 2, o.period.text, -1, transient)
            sqlite3_bind_text(insert, 3, o.period.start?.description ?? "", -1, transient)
            sqlite3_bind_text(insert, 4, o.period.end?.description ?? "", -1, transient)
            sqlite3_bind_text(insert, 5, o.value ?? "", -1, transient)
            sqlite3_bind_double(insert, 6, o.number ?? 0)
            sqlite3_bind_text(insert, 7, o.unit ?? "", -1, transient)
            sqlite3_bind_null(insert, 8)
            sqlite3_bind_text(insert, 9, o.status ?? "", -1, transient)
            sqlite3_bind_null(insert, 10)
            sqlite3_bind_int64(insert, 11, Int64(index))
            sqlite3_bind_int64(insert, 12, 1)
            guard sqlite3_step(insert) == SQLITE_DONE else { throw ValidationError("baseline insert failed") }
        }
        sqlite3_finalize(insert)
        sqlite3_finalize(insertSeries)
        sqlite3_exec(db, "COMMIT", nil, nil, nil)
        return Double(observations.count) / ResourceUsage.seconds(.now - clock)
    }
}
