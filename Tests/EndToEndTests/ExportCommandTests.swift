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
                "customs.TRADE.csv", "customs.TRADE.ndjson", "datapackage.json", "README.md",
            ])
        #expect(a == b)

        let manifest = try #require(a["datapackage.json"])
        let package = try #require(try JSONSerialization.jsonObject(with: manifest) as? [String: Any])
        let resources = try #require(package["resources"] as? [[String: Any]])
        #expect(resources.count == 7)
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
        // The dataset's own table: a column per dimension of the key, no labels stored.
        let table = String(decoding: try #require(a["customs.TRADE.csv"]), as: UTF8.self)
        #expect(
            table.hasPrefix(
                "source,dataset,series,FREQ,FREQ_label,REPORTER,REPORTER_label,PARTNER,PARTNER_label,CMD,CMD_label,"
                    + "period,"))
        #expect(table.contains(",M,,156,,408,,6704,,2019-03,"))
    }

    /// Figures of three series with the partners' and commodities' names.
    static func labelledCache(_ directory: TemporaryDirectory) throws -> String {
        let path = directory.file("labelled.db")
        let cache = try SQLiteCache(path: path)
        let figures = [("408", "6704", "1250"), ("410", "6704", "7"), ("408", "9701", "5")].map { partner, cmd, value in
            Observation(
                dataset: "TRADE", series: SeriesKey(["FREQ": "M", "PARTNER": partner, "CMD": cmd]),
                period: Period("2019-03"), value: value)
        }
        let labels = [
            CodeLabel(component: "PARTNER", code: "408", language: "en", name: "Korea, Dem. People's Rep."),
            CodeLabel(component: "PARTNER", code: "410", language: "en", name: "Korea, Rep."),
            CodeLabel(component: "CMD", code: "6704", language: "en", name: "Wigs, false beards"),
            CodeLabel(component: "CMD", code: "9701", language: "en", name: "Paintings"),
        ]
        try cache.record(
            source: "customs", kind: "sdmx", attempt: FetchAttempt(startedAt: Date(), url: "http://127.0.0.1/c"),
            result: .pulled(
                PullContent(mode: .snapshot, observationScope: .wholeSource) { sink in
                    sink.labels(LabelBatch(dataset: "TRADE", labels: labels))
                    for figure in figures { try sink.add(figure) }
                }))
        return path
    }

    /// The data rows of a CSV file (its header left out), each as its text.
    func rows(_ path: String) throws -> [String] {
        Array(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\r\n").dropFirst().map(String.init))
    }

    @Test("--where and --match narrow observations.csv and the dataset's table; the README says how to repeat it")
    func selectors() throws {
        let directory = TemporaryDirectory()
        let db = try Self.labelledCache(directory)
        let partner = try run(cli, ["export", "--db", db, "--out", directory.file("p"), "--where", "PARTNER=410"])
        #expect(partner.status == 0, "\(partner.stderr)")
        #expect(try rows(directory.file("p/observations.csv")).count == 1)
        let table = try rows(directory.file("p/customs.TRADE.csv"))
        #expect(table.count == 1)
        #expect(
            table.first?.hasPrefix(
                #"customs,TRADE,FREQ=M.PARTNER=410.CMD=6704,M,,410,"Korea, Rep.",6704,"Wigs, false beards",2019-03,"#)
                == true, "\(table)")
        let readme = try String(contentsOfFile: directory.file("p/README.md"), encoding: .utf8)
        #expect(readme.contains("tradewatch export --as-of 1 --where PARTNER=410"))

        let several = try run(
            cli,
            [
                "export", "--db", db, "--out", directory.file("s"), "--where", "PARTNER=408+410", "--where", "CMD=6704",
                "--dataset", "TRADE", "--source", "customs",
            ])
        #expect(several.status == 0, "\(several.stderr)")
        #expect(try rows(directory.file("s/observations.csv")).count == 2)
        #expect(try rows(directory.file("s/customs.TRADE.csv")).allSatisfy { $0.contains(",6704,") })

        let words = try run(cli, ["export", "--db", db, "--out", directory.file("w"), "--match", "paintings"])
        #expect(words.status == 0, "\(words.stderr)")
        let painted = try rows(directory.file("w/customs.TRADE.csv"))
        #expect(painted.count == 1 && painted.first?.contains(",9701,Paintings,") == true)

        let none = try run(cli, ["export", "--db", db, "--out", directory.file("n"), "--where", "PARTNER=999"])
        #expect(none.status == 0, "\(none.stderr)")
        #expect(try rows(directory.file("n/observations.csv")).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: directory.file("n/customs.TRADE.csv")))
    }

    @Test("A --where that is not DIM=CODE is a usage error, and nothing is written")
    func badSelector() throws {
        let directory = TemporaryDirectory()
        let db = try Self.labelledCache(directory)
        for bad in ["PARTNER", "=408", "PARTNER=", "PARTNER=408+"] {
            let result = try run(cli, ["export", "--db", db, "--out", directory.file("x"), "--where", bad])
            #expect(result.status == 2, "\(bad): \(result.stderr)")
            #expect(result.stderr.contains("--where"), "\(bad): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: directory.file("x")))
        }
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
