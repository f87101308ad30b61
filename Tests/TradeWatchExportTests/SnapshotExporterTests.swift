import Foundation
import GRDB
import TestSupport
import Testing
@testable import TradeWatchCache
import TradeWatchExport
import TradeWatchFormats
import TradeWatchModel

@Suite("Snapshot exports")
struct SnapshotExporterTests {
    @Test("An export that fails midway leaves neither the folder nor its staging copy")
    func failureLeavesNothing() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("cache.db")
        let writer = try SQLiteCache(path: path)
        try writer.record(
            source: "customs", kind: "sdmx", attempt: FetchAttempt(startedAt: Date(), url: "http://127.0.0.1/"),
            result: .pulled(
                PullContent(
                    Pull(
                        observations: [
                            Observation(
                                dataset: "T", series: SeriesKey(["CMD": "6704"]), period: Period("2019-01"), value: "1")
                        ], observationScope: .wholeSource), searchText: HTMLCleaner.text)))
        let reader = try SQLiteCache(path: path, access: .readOnly)
        // The cache's tables vanish under the exporter: its first read of rows fails.
        try writer.pool.write { db in try db.execute(sql: "DROP TABLE entry_fts; DROP TABLE entry") }
        let out = directory.file("snapshot")
        #expect(throws: (any Error).self) {
            try SnapshotExporter(cache: reader).export(to: out, options: .init(revision: 1, formats: [.csv, .sqlite]))
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.path).allSatisfy {
                !$0.contains(".tradewatch-")
            })
    }
}
