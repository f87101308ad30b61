import ArgumentParser
import Foundation
import TradeWatchCache
import TradeWatchModel

/// The analyst's commands on a large cache, timed as a user runs them (whole processes),
/// beside the sqlite3 shell exporting the same rows.
struct CLIBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cli", abstract: "status, log, diff and export on a cache of many sources and rows.")

    @Option(help: "Sources in the generated cache.")
    var sources = 1000

    @Option(help: "Observations in all.")
    var rows = 1_000_000

    @Option(help: "Series whose codes are labelled (their sources' pulls carry the codelists).")
    var labelledSeries = 10_000

    @Option(help: "The tradewatch executable to time.")
    var tradewatch: String

    @Option(help: "Where the cache and exports go (removed afterwards unless --keep).")
    var directory = NSTemporaryDirectory()

    @Flag(help: "Keep the generated cache, to look at it afterwards.")
    var keep = false

    func run() async throws {
        let folder = directory + "/tradewatch-bench-cli-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(atPath: folder) } }
        let path = folder + "/cache.db"
        let cache = try SQLiteCache(path: path)
        let perSource = max(1, rows / sources)
        let synthetic = SyntheticStatistics(observations: perSource)
        // Each source's series have keys of their own (see `LabelledTrade`); the first sources'
        // pulls carry the codelists, so that about `labelledSeries` series have names.
        let seriesPerSource = synthetic.seriesCount
        let labelledSources = (labelledSeries + seriesPerSource - 1) / seriesPerSource
        func tradeObservation(_ row: Int, source index: Int) -> Observation {
            var observation = synthetic.observation(row)
            observation.series = LabelledTrade.key(index * seriesPerSource + row / synthetic.periods.count)
            return observation
        }
        for index in 0..<sources {
            try cache.record(
                source: String(format: "source-%04d", index), kind: "sdmx",
                attempt: FetchAttempt(startedAt: Date(), url: "http://127.0.0.1/\(index)"),
                result: .pulled(
                    PullContent(mode: .snapshot, observationScope: .wholeSource) { sink in
                        for row in 0..<synthetic.count { try sink.add(tradeObservation(row, source: index)) }
                        if index < labelledSources { sink.labels(LabelledTrade.batch) }
                    }))
        }
        // 10,000 changes spread over ten sources, ten revisions.
        let before = try cache.resolve(.latest)
        let changedSources = min(10, sources)
        for index in 0..<changedSources {
            try cache.record(
                source: String(format: "source-%04d", index), kind: "sdmx",
                attempt: FetchAttempt(startedAt: Date(), url: "http://127.0.0.1/\(index)"),
                result: .pulled(
                    PullContent(mode: .snapshot, observationScope: .wholeSource) { sink in
                        for row in 0..<synthetic.count {
                            var observation = tradeObservation(row, source: index)
                            if row < 10_000 / changedSources { observation.value = (observation.value ?? "") + "1" }
                            try sink.add(observation)
                        }
                    }))
        }
        let after = try cache.resolve(.latest)
        let total = synthetic.count * sources

        func time(_ arguments: [String], _ label: String, goal: String? = nil) throws -> Double {
            let seconds = try Self.timeProcess(tradewatch, arguments + ["--db", path])
            Figure(benchmark: "cli", figure: label, unit: "ms", tradewatch: seconds * 1000, goal: goal).emit()
            return seconds
        }
        _ = try time(["status"], "status, \(sources) sources", goal: "< 50 ms")
        _ = try time(["log", "--limit", "50"], "log --limit 50")
        _ = try time(["diff", "\(before)..\(after)", "--format", "csv"], "diff of 10,000 changes (csv)")

        // Finding series by name, and one figure by its dimensions, each against sqlite3 running
        // the bare lookup on the same file (a process start and one indexed query).
        func timeAgainstSQLite(_ arguments: [String], _ label: String, sql: String) throws {
            let seconds = try Self.timeProcess(tradewatch, arguments + ["--db", path])
            let peer = try Self.timeProcess("/usr/bin/env", ["sqlite3", path, sql])
            Figure(
                benchmark: "cli", figure: label, unit: "ms", tradewatch: seconds * 1000, peer: peer * 1000,
                peerName: "sqlite3, the bare index lookup", goal: "< 50 ms"
            ).emit()
        }
        try timeAgainstSQLite(
            ["series", "wigs"], "series wigs (\(labelledSeries) labelled series)",
            sql: "SELECT count(*) FROM series_fts WHERE series_fts MATCH '\"wigs\"*'")
        try timeAgainstSQLite(
            [
                "history", "--source", "source-0010", "--where", "CMD=6704", "--where", "PARTNER=408", "--where",
                "FLOW=M", "--where", "REPORTER=156", "--period", "2019-03",
            ], "history --where ×4 --period",
            sql: """
                SELECT o.value FROM observation o JOIN series se ON se.id = o.series_id
                JOIN source s ON s.id = se.source_id
                WHERE s.name = 'source-0010' AND se.dataset = 'TRADE'
                    AND se.series_key = 'FREQ=M.REPORTER=156.PARTNER=408.FLOW=M.CMD=6704' AND o.period = '2019-03';
                """)

        let exportSeconds = try Self.timeProcess(
            tradewatch, ["export", "--db", path, "--out", folder + "/export", "--format", "csv"])
        let shellSeconds = try Self.timeProcess(
            "/usr/bin/env",
            [
                "sqlite3", "-csv", "-header", path,
                """
                SELECT s.name, se.dataset, se.series_key, o.period, o.period_start, o.period_end, o.value, o.number,
                    o.unit, o.unit_mult, o.status, o.attributes, o.from_rev
                FROM observation o JOIN series se ON se.id = o.series_id JOIN source s ON s.id = se.source_id
                WHERE o.to_rev IS NULL ORDER BY s.name, se.dataset, se.series_key, o.period_start, o.period;
                """,
            ], output: folder + "/shell.csv")
        Figure(
            benchmark: "cli", figure: "export --format csv of \(total) rows", unit: "s", tradewatch: exportSeconds,
            peer: shellSeconds, peerName: "sqlite3 -csv, same rows and order", goal: "<= 1 (as fast as the shell)"
        ).emit()
    }

    static func timeProcess(_ executable: String, _ arguments: [String], output: String? = nil) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil) else {
                throw ValidationError("cannot create \(output)")
            }
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        } else {
            process.standardOutput = FileHandle.nullDevice
        }
        let clock = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError(
                "\(executable) \(arguments.prefix(2).joined(separator: " ")) exited \(process.terminationStatus)")
        }
        return ResourceUsage.seconds(.now - clock)
    }
}
