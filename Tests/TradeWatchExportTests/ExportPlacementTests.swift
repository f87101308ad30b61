import Foundation
import GRDB
import TestSupport
import Testing
@testable import TradeWatchCache
import TradeWatchFormats
import TradeWatchModel

@testable import TradeWatchExport

/// How an export is put in place on a real file system: what counts as a previous export, the
/// swap (both the atomic exchange and its fallback), and failures that must leave the previous
/// export whole.
@Suite("Putting an export in place")
struct ExportPlacementTests {
    /// A cache with one revision of one figure.
    func cache(in directory: TemporaryDirectory, value: String = "1") throws -> SQLiteCache {
        let path = directory.file("cache.db")
        let writer = try SQLiteCache(path: path)
        try writer.record(
            source: "customs", kind: "sdmx", attempt: FetchAttempt(startedAt: Date(), url: "http://127.0.0.1/"),
            result: .pulled(
                PullContent(
                    Pull(
                        observations: [
                            Observation(
                                dataset: "T", series: SeriesKey(["CMD": "6704"]), period: Period("2019-01"),
                                value: value)
                        ], observationScope: .wholeSource), searchText: HTMLCleaner.text)))
        return writer
    }

    func contents(_ folder: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            result[name] = FileManager.default.contents(atPath: folder + "/" + name)
        }
        return result
    }

    func hidden(_ directory: TemporaryDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".tradewatch-") }
    }

    @Test("A previous export is recognised by its marker and its names; anything else is foreign")
    func recognition() throws {
        let directory = TemporaryDirectory()
        let manager = FileManager.default
        let out = directory.file("out")
        try SnapshotExporter(cache: try cache(in: directory)).export(to: out, options: .init(revision: 1))
        #expect(try ExportTargetState.inspect(out) == .previousExport)
        #expect(try ExportTargetState.inspect(directory.file("absent")) == .absent)
        #expect(try ExportTargetState.inspect(directory.file("cache.db")) == .regularFile)

        try manager.createSymbolicLink(atPath: directory.file("link"), withDestinationPath: "out")
        #expect(
            try ExportTargetState.inspect(directory.file("link"))
                == .symbolicLink(destination: "out", resolvedPath: out, resolved: .previousExport))
        try manager.createSymbolicLink(atPath: directory.file("dangling"), withDestinationPath: "gone")
        #expect(
            try ExportTargetState.inspect(directory.file("dangling"))
                == .symbolicLink(destination: "gone", resolvedPath: nil, resolved: nil))

        try Data().write(to: URL(fileURLWithPath: out + "/notes.txt"))
        #expect(try ExportTargetState.inspect(out) == .foreignDirectory(.unexpectedEntry("notes.txt")))
        try manager.removeItem(atPath: out + "/notes.txt")
        try manager.createDirectory(atPath: out + "/entries.ndjson", withIntermediateDirectories: false)
        #expect(try ExportTargetState.inspect(out) == .foreignDirectory(.notAFile("entries.ndjson")))
        try manager.removeItem(atPath: out + "/entries.ndjson")
        // An export's names with a descriptor that is not tradewatch's.
        try Data(#"{"profile": "data-package", "resources": []}"#.utf8).write(
            to: URL(fileURLWithPath: out + "/datapackage.json"))
        #expect(try ExportTargetState.inspect(out) == .foreignDirectory(.noMarker))
        try manager.removeItem(atPath: out + "/datapackage.json")
        #expect(try ExportTargetState.inspect(out) == .foreignDirectory(.noMarker))
    }

    @Test("--out is made absolute; a last '.' or '..' is resolved so that the name is a real entry; '/' has none")
    func destinationPath() throws {
        let directory = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.file("sub"), withIntermediateDirectories: false)
        let real = try SystemCalls.realPath(directory.path)
        #expect(try ExportPath(directory.path + "/out/")?.name == "out")
        #expect(try ExportPath(directory.path + "/./out")?.path == directory.path + "/out")
        let dot = try #require(try ExportPath(directory.file("sub") + "/."))
        #expect(dot.path == real + "/sub" && dot.parent == real && dot.name == "sub")
        #expect(try ExportPath(directory.file("sub") + "/..")?.path == real)
        #expect(try ExportPath("/") == nil)
    }

    @Test(
        "--force swaps a previous export, by exchange and by the rename-aside fallback alike",
        arguments: [
            StagingFolder.SwapStrategy.exchange, .renameAside,
        ])
    func swap(strategy: StagingFolder.SwapStrategy) throws {
        let directory = TemporaryDirectory()
        let out = directory.file("out")
        var exporter = SnapshotExporter(cache: try cache(in: directory))
        exporter.swapStrategy = strategy
        try exporter.export(to: out, options: .init(revision: 1, formats: [.csv, .sqlite]))
        let summary = try exporter.export(to: out, options: .init(revision: 1, formats: [.ndjson], force: true))
        #expect(summary.previousExportKept == nil)
        // The previous export's dataset table (customs.T.csv) went with it.
        #expect(
            Set(try contents(out).keys) == [
                "observations.ndjson", "entries.ndjson", "customs.T.ndjson", "datapackage.json", "README.md",
            ])
        #expect(try hidden(directory).isEmpty)
    }

    @Test("A --force export whose cache fails midway leaves the previous export whole and nothing hidden")
    func failedForceKeepsPrevious() throws {
        let directory = TemporaryDirectory()
        let writer = try cache(in: directory)
        let out = directory.file("out")
        let reader = try SQLiteCache(path: directory.file("cache.db"), access: .readOnly)
        try SnapshotExporter(cache: reader).export(to: out, options: .init(revision: 1, formats: [.csv]))
        let before = try contents(out)
        // The cache's tables vanish under the exporter: its reading of articles fails.
        try writer.pool.write { db in try db.execute(sql: "DROP TABLE entry_fts; DROP TABLE entry") }
        #expect(throws: (any Error).self) {
            try SnapshotExporter(cache: reader).export(
                to: out, options: .init(revision: 1, formats: [.csv, .sqlite], force: true))
        }
        #expect(try contents(out) == before)
        #expect(try hidden(directory).isEmpty)
    }

    @Test("A file put into the previous export while the new one is written stops the swap")
    func previousChangedMeanwhile() throws {
        let directory = TemporaryDirectory()
        let out = directory.file("out")
        try SnapshotExporter(cache: try cache(in: directory)).export(to: out, options: .init(revision: 1))
        let destination = try #require(try ExportPath(out))
        let staging = try StagingFolder.create(beside: destination, target: out)
        try SystemCalls.writeNewFile(staging.path + "/datapackage.json", Array("{}".utf8))
        try Data("mine".utf8).write(to: URL(fileURLWithPath: out + "/notes.txt"))
        let before = try contents(out)

        #expect(throws: ExportError.self) { _ = try staging.commit(.swap(with: out), strategy: .exchange) }
        #expect(try contents(out) == before)
        #expect(try hidden(directory).isEmpty)
    }
}
