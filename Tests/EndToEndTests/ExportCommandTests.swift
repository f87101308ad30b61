import Foundation
import TestSupport
import Testing
import TradeWatchCache
import TradeWatchModel

@Suite("export end to end")
struct ExportCommandTests {
    let cli = builtProduct("tradewatch")

    func files(in folder: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            result[name] = FileManager.default.contents(atPath: folder + "/" + name)
        }
        return result
    }

    @Test("The same --as-of gives byte-identical files, and datapackage.json hashes match them")
    func deterministic() throws {
        let directory = TemporaryDirectory()
        let db = try RevisionCommandsTests.scriptedCache(directory)
        for name in ["a", "b"] {
            let result = try run(
                cli,
                ["export", "--db", db, "--out", directory.file(name), "--as-of", "3", "--format", "csv,ndjson,sqlite"])
            #expect(result.status == 0, "\(result.stderr)")
        }
        let a = try files(in: directory.file("a"))
        let b = try files(in: directory.file("b"))
        #expect(
            Set(a.keys) == [
                "observations.csv", "entries.csv", "observations.ndjson", "entries.ndjson", "snapshot.sqlite",
                "datapackage.json", "README.md",
            ])
        #expect(a == b)

        let manifest = try #require(a["datapackage.json"])
        let package = try #require(try JSONSerialization.jsonObject(with: manifest) as? [String: Any])
        let resources = try #require(package["resources"] as? [[String: Any]])
        #expect(resources.count == 5)
        for resource in resources {
            let path = try #require(resource["path"] as? String)
            let data = try #require(a[path])
            #expect(resource["bytes"] as? Int == data.count, "\(path)")
            #expect(resource["hash"] as? String == "sha256:" + SHA256.hex(data), "\(path)")
        }
        let csv = String(decoding: try #require(a["observations.csv"]), as: UTF8.self)
        #expect(csv.hasPrefix("source,dataset,series,period,period_start,period_end,value,"))
        #expect(csv.contains(",1250,"))
        #expect(!csv.contains(",1000,"))
        #expect(String(decoding: try #require(a["README.md"]), as: UTF8.self).contains("Revision: 3"))
    }

    @Test("As of an earlier revision the snapshot shows the figures as they were then")
    func asOf() throws {
        let directory = TemporaryDirectory()
        let db = try RevisionCommandsTests.scriptedCache(directory)
        #expect(try run(cli, ["export", "--db", db, "--out", directory.file("r1"), "--as-of", "1"]).status == 0)
        let csv = try String(contentsOfFile: directory.file("r1") + "/observations.csv", encoding: .utf8)
        #expect(csv.contains(",1000,"))
        #expect(csv.split(separator: "\r\n").count == 3)
    }

    @Test("A folder of the user's is refused even with --force; a failed export leaves no folder behind")
    func refusalAndAtomicity() throws {
        let directory = TemporaryDirectory()
        let db = try RevisionCommandsTests.scriptedCache(directory)
        let out = directory.file("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: out + "/mine.txt"))
        for flags in [[], ["--force"]] {
            let refused = try run(cli, ["export", "--db", db, "--out", out] + flags)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("'mine.txt'"), "\(refused.stderr)")
            #expect(FileManager.default.contents(atPath: out + "/mine.txt") == Data("keep".utf8))
        }
        // An empty folder is replaced by the export, without --force.
        try FileManager.default.removeItem(atPath: out + "/mine.txt")
        #expect(try run(cli, ["export", "--db", db, "--out", out]).status == 0)
        #expect(FileManager.default.fileExists(atPath: out + "/datapackage.json"))

        // A revision that does not exist fails before anything is written.
        let missing = try run(cli, ["export", "--db", db, "--out", directory.file("never"), "--as-of", "99"])
        #expect(missing.status == 1)
        #expect(!FileManager.default.fileExists(atPath: directory.file("never")))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.contains(".tradewatch-")
        }
        #expect(leftovers.isEmpty)
    }
}
