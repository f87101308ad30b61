import ArgumentParser
import Foundation
import TradeWatchCache
import TradeWatchFormats
import TradeWatchModel

/// Applies large, ever-changing pulls to a cache until killed, printing each committed
/// revision. The crash tests SIGKILL it at random moments and check what survived.
struct ChurnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "churn", abstract: "Write evolving revisions to a cache until killed (for crash tests).")

    @Option(help: "The cache to write.")
    var db: String

    @Option(help: "Observations per pull.")
    var rows = 20_000

    @Option(help: "Stop after this many pulls (0: never).")
    var rounds = 0

    func run() async throws {
        let cache = try SQLiteCache(path: db)
        let source = SyntheticStatistics(observations: rows)
        var round = Int(try cache.resolve(.latest))
        while rounds == 0 || round < rounds {
            round += 1
            // Each round revises a different 1%, drops a rotating slice and brings back the last one.
            let observations = (0..<source.count).compactMap { index -> Observation? in
                index % 50 == round % 50 ? nil : source.observation(index, round: round)
            }
            let entries = (0..<200).map { index in
                Entry(
                    key: "article-\(index)", title: "Round \(round % 7) headline \(index)",
                    summary: "Trade figures for commodity \(index) revised in round \(round % 5)")
            }
            let record = try cache.record(
                source: "churn", kind: "sdmx", attempt: FetchAttempt(startedAt: Date(), url: "http://127.0.0.1/churn"),
                result: .pulled(
                    PullContent(
                        Pull(
                            observations: observations, observationScope: .wholeSource, entries: entries,
                            entryScope: .all), searchText: HTMLCleaner.text)))
            if let revision = record.revision {
                FileHandle.standardOutput.write(Data("committed \(revision.id)\n".utf8))
            }
        }
    }
}
