import Foundation
import TestSupport
import Testing

@testable import TradeWatchExport

/// The names of the per-dataset files and SQLite tables, made from hostile source and
/// dataset ids, and what a previous export holding such files is.
@Suite("Per-dataset table names")
struct DatasetTableNameTests {
    static let hostile: [DatasetID] = [
        DatasetID(source: "customs", dataset: "DF_TRADE"),
        DatasetID(source: "customs", dataset: "../../etc/passwd"),
        DatasetID(source: "customs", dataset: ".hidden"),
        DatasetID(source: "customs", dataset: ""),
        DatasetID(source: "-rf", dataset: "x"),
        DatasetID(source: "sqlite_master", dataset: "T"),
        DatasetID(source: "customs", dataset: String(repeating: "LONG", count: 100)),
        DatasetID(source: "customs", dataset: "贸易\u{202E}txt.exe"),
        DatasetID(source: "customs", dataset: "a/b"),
        DatasetID(source: "customs", dataset: "a_b"),
        DatasetID(source: "customs", dataset: "T"),
        DatasetID(source: "customs", dataset: "t"),
        DatasetID(source: "imf.sdmx", dataset: "T"),
    ]

    @Test("Every name is one safe file name: no separator, no leading dot or dash, within NAME_MAX, unique in any case")
    func safeNames() throws {
        let stems = DatasetTableNames.stems(for: Self.hostile)
        #expect(stems.count == Self.hostile.count)
        for (id, stem) in stems {
            for name in [stem + ".csv", stem + ".ndjson"] {
                #expect(!name.contains("/") && !name.hasPrefix(".") && !name.hasPrefix("-"), "\(id) → \(name)")
                #expect(name.utf8.count < 255, "\(id) → \(name)")
                #expect(name.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 0x20 }, "\(id) → \(name)")
                #expect(DatasetTableNames.isDatasetFile(name), "\(id) → \(name)")
            }
            #expect(!stem.lowercased().hasPrefix("sqlite_"), "\(id) → \(stem)")
        }
        #expect(Set(stems.values.map { $0.lowercased() }).count == Self.hostile.count)
    }

    @Test("A plain id keeps its name; a changed one gets a hash; names depend on the ids, not on order")
    func stableNames() throws {
        let stems = DatasetTableNames.stems(for: Self.hostile)
        #expect(stems[DatasetID(source: "customs", dataset: "DF_TRADE")] == "customs.DF_TRADE")
        #expect(stems[DatasetID(source: "customs", dataset: "a_b")] == "customs.a_b")
        let slash = try #require(stems[DatasetID(source: "customs", dataset: "a/b")])
        #expect(slash.hasPrefix("customs.a_b.") && slash.split(separator: ".").last?.count == 8)
        // T and t would be one file on a case-insensitive disk and one SQLite table: both hashed.
        let upper = try #require(stems[DatasetID(source: "customs", dataset: "T")])
        let lower = try #require(stems[DatasetID(source: "customs", dataset: "t")])
        #expect(
            upper.hasPrefix("customs.T.") && lower.hasPrefix("customs.t.") && upper.lowercased() != lower.lowercased())

        #expect(DatasetTableNames.stems(for: Self.hostile.reversed()) == stems)
        // Alone, each keeps the name it has among the others (but for a case clash).
        for id in Self.hostile where !(id.source == "customs" && id.dataset.lowercased() == "t") {
            #expect(DatasetTableNames.stems(for: [id])[id] == stems[id], "\(id)")
        }
    }

    @Test("Only names of the form a dataset table has are taken for one")
    func recognition() {
        for name in ["customs.T.csv", "customs.T.ndjson", "a-b.c_d.0123abcd.csv", "_.x.0123456789abcdef.ndjson"] {
            #expect(DatasetTableNames.isDatasetFile(name), "\(name)")
        }
        for name in [
            "observations.csv", "notes.csv", ".customs.T.csv", "customs..csv", "-a.b.csv", "a.b.c.csv",
            "a.b.0123ABCD.csv", "a.b.csv.bak", "a.b.txt", "a/b.c.csv", "a.b.0123abc.csv", "a b.c.csv",
        ] {
            #expect(!DatasetTableNames.isDatasetFile(name), "\(name)")
        }
    }

    /// A folder as an export with one dataset table leaves it: the marker, and the table listed.
    func previousExport(in directory: TemporaryDirectory, listing: [String]) throws -> String {
        let out = directory.file("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let resources = listing.map { #"{"path": "\#($0)"}"# }.joined(separator: ",")
        try Data(#"{"tradewatch": {"export": 1}, "resources": [\#(resources)]}"#.utf8).write(
            to: URL(fileURLWithPath: out + "/datapackage.json"))
        for name in ["README.md", "customs.T.csv"] {
            try Data("x".utf8).write(to: URL(fileURLWithPath: out + "/" + name))
        }
        return out
    }

    @Test("A dataset table of a previous export is its file only when its datapackage.json lists it")
    func listedTablesOnly() throws {
        let directory = TemporaryDirectory()
        let out = try previousExport(in: directory, listing: ["customs.T.csv"])
        #expect(try ExportTargetState.inspect(out) == .previousExport)

        // A file that looks like a table but is not listed is the user's.
        try Data("mine".utf8).write(to: URL(fileURLWithPath: out + "/my.notes.csv"))
        #expect(try ExportTargetState.inspect(out) == .foreignDirectory(.unexpectedEntry("my.notes.csv")))
        #expect(
            ExportAction.decide(try ExportTargetState.inspect(out), path: out, force: true)
                == .refuse(.foreignDirectory(.unexpectedEntry("my.notes.csv"))))
    }

    @Test("Removing a previous export removes its listed tables and nothing else")
    func removal() throws {
        let directory = TemporaryDirectory()
        let out = try previousExport(in: directory, listing: ["customs.T.csv"])
        try Data("mine".utf8).write(to: URL(fileURLWithPath: out + "/my.notes.csv"))
        #expect(try StagingFolder.removeExportFiles(in: out, includingSidecars: false) == false)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["my.notes.csv"])

        let other = TemporaryDirectory()
        let listed = try previousExport(in: other, listing: ["customs.T.csv"])
        #expect(try StagingFolder.removeExportFiles(in: listed, includingSidecars: false))
        #expect(!FileManager.default.fileExists(atPath: listed))
    }
}
