import Foundation
import TestSupport
import Testing
import TradeWatchCache

/// Names for codes through the user's path: a configuration, `tradewatchd --once` against the
/// publisher simulator (SDMX structures, Comtrade reference lists and descriptions, a CSV
/// label column), then the CLI finding and showing series by what they are.
@Suite("Labels end to end: structures and reference lists to series, selectors and names")
struct LabelsEndToEndTests {
    let directory = TemporaryDirectory()
    let publisher: Publisher
    let cli = builtProduct("tradewatch")

    init() throws {
        publisher = try Publisher()
    }

    var db: String { directory.file("cache.db") }

    func writeConfig() throws -> String {
        let text = """
            [daemon]
            cache = "\(db)"
            interval = "1h"
            jitter = "0s"
            startup_spread = "0s"

            [[source]]
            name = "comtrade"
            kind = "comtrade"
            base_url = "\(publisher.url("/comtrade"))"
            reporter = 156
            partner = 408
            commodity = ["6704", "9701"]
            flow = ["M", "X"]
            period = "2019-01..2019-06"
            preview = true

            [[source]]
            name = "sdmx"
            kind = "sdmx"
            base_url = "\(publisher.url("/sdmx"))"
            flow = "PUB,TRADE_CN_KP,1.0"

            # The same data, but its structure is asked for where the service has none.
            [[source]]
            name = "sdmx-nostructure"
            kind = "sdmx"
            base_url = "\(publisher.url("/sdmx"))"
            flow = "TRADE_CN_KP"
            structure_url = "\(publisher.url("/sdmx/dataflow/PUB/NO_SUCH_FLOW/1.0?references=all"))"

            [[source]]
            name = "customs"
            kind = "csv"
            url = "\(publisher.url("/csv/cn-kp-trade.csv"))"
            dataset = "CUSTOMS_CN_KP"
            delimiter = ";"
            decimal = ","
            dimensions = [
                { column = "Reporter", id = "REPORTER" },
                { column = "Partner", id = "PARTNER" },
                { column = "Flow", id = "FLOW" },
                { column = "HS", id = "CMD" },
            ]
            period = "Month"
            value = "Value"
            flags = "Flag"
            labels = { CMD = "HS description" }

            """
        let path = directory.file("tradewatch.toml")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func syncOnce(_ config: String) throws -> ProcessResult {
        try run(builtProduct("tradewatchd"), ["--config", config, "--once"])
    }

    func json(_ result: ProcessResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test("The daemon learns the names; series, history, diff, show and sources find and show them")
    func namesThroughTheUsersPath() async throws {
        let config = try writeConfig()
        let first = try syncOnce(config)
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        // A structure the service does not have is a warning on the source; its data are stored.
        let broken = try #require(first.stdout.split(separator: "\n").first { $0.hasPrefix("sdmx-nostructure:") })
        #expect(broken.contains(": changed") && broken.contains("warning: structure:"), "\(broken)")

        // Words over labels of two dimensions find the wigs series with the DPRK as partner,
        // in Comtrade's codes (408) and in the SDMX service's (KP).
        let found = try json(try run(cli, ["series", "wigs", "korea", "--db", db, "--json"]))
        let series = try #require(found["series"] as? [[String: Any]])
        let sources = Set(series.compactMap { $0["source"] as? String })
        #expect(sources.isSuperset(of: ["comtrade", "sdmx"]), "\(sources)")
        for item in series {
            let labels = try #require(item["labels"] as? [String: [String: String]])
            #expect(labels["CMD"]?["code"] == "6704")
            #expect(labels["CMD"]?["name"]?.hasPrefix("Wigs") == true, "\(labels)")
            #expect(labels["PARTNER"]?["name"]?.contains("Korea") == true, "\(labels)")
        }
        // The source without a structure has no names, so no series of it matches words.
        #expect(!sources.contains("sdmx-nostructure"))
        let paintings = try run(cli, ["series", "--db", db, "--where", "CMD=9701", "--where", "FLOW=X", "--json"])
        let exports = try #require(try json(paintings)["series"] as? [[String: Any]])
        #expect(!exports.isEmpty)
        #expect(
            exports.allSatisfy {
                let labels = $0["labels"] as? [String: [String: String]]
                return labels?["CMD"]?["code"] == "9701" && labels?["FLOW"]?["code"] == "X"
            })

        // One figure by what it is instead of its 130-character key.
        let figure = try run(
            cli,
            [
                "history", "--db", db, "--source", "comtrade", "--where", "CMD=6704", "--where", "FLOW=M",
                "--where", "MEASURE=primaryValue", "--period", "2019-03",
            ])
        #expect(figure.status == 0, "\(figure.stderr)")
        #expect(figure.stdout.contains("6704 Wigs"), "\(figure.stdout)")
        #expect(figure.stdout.contains("408 Dem. People's Rep. of Korea"), "\(figure.stdout)")
        // The same with --codes: no names.
        let codesOnly = try run(
            cli,
            [
                "history", "--db", db, "--source", "comtrade", "--where", "CMD=6704", "--where", "FLOW=M",
                "--where", "MEASURE=primaryValue", "--period", "2019-03", "--codes",
            ])
        #expect(codesOnly.status == 0 && !codesOnly.stdout.contains("Wigs"))
        // A selector that names several series lists them and exits 2.
        let ambiguous = try run(cli, ["history", "--db", db, "--where", "CMD=6704", "--period", "2019-03"])
        #expect(ambiguous.status == 2)
        #expect(ambiguous.stderr.contains("matches") && ambiguous.stdout.contains("PERIODS"), "\(ambiguous.stdout)")
        // With --json the candidates are a JSON document too.
        let ambiguousJSON = try run(
            cli, ["history", "--db", db, "--where", "CMD=6704", "--period", "2019-03", "--json"])
        #expect(ambiguousJSON.status == 2)
        #expect(((try json(ambiguousJSON))["series"] as? [[String: Any]])?.count ?? 0 > 1)
        // Selectors that would narrow nothing, or be ignored, are refused.
        #expect(try run(cli, ["history", "--db", db, "--match", "-", "--period", "2019-03"]).status == 2)
        #expect(try run(cli, ["series", "--db", db, "--", "-"]).status == 2)
        #expect(try run(cli, ["series", "--db", db, "wigs", "--limit", "9223372036854775807"]).status == 2)
        #expect(
            try run(cli, ["history", "--db", db, "FREQ=M@2019-03", "--where", "PARTNER=410"]).status == 2)
        #expect(try run(cli, ["history", "--db", db, "FREQ=M@2019-03", "--period", "2019-04"]).status == 2)
        let none = try run(cli, ["history", "--db", db, "--where", "CMD=0000", "--period", "2019-03"])
        #expect(none.status == 1)

        // show narrows to the selected figures and names them in its JSON.
        let shown = try json(try run(cli, ["show", "sdmx", "--db", db, "--where", "FLOW=X", "--json"]))
        let observations = try #require(shown["observations"] as? [[String: Any]])
        #expect(!observations.isEmpty)
        #expect(
            observations.allSatisfy {
                ($0["labels"] as? [String: [String: String]])?["FLOW"]?["code"] == "X"
            })

        // Two publication rounds: the CSV renames HS 9701, figures are revised.
        for _ in 0..<2 {
            try await publisher.advance()
            let again = try syncOnce(config)
            #expect(again.status == 0, "\(again.stdout)\n\(again.stderr)")
        }
        let renamed = try json(
            try run(cli, ["history", "--db", db, "--label", "CMD=9701", "--source", "customs", "--json"]))
        let versions = try #require(renamed["versions"] as? [[String: Any]])
        #expect(versions.count == 2, "\(versions)")
        let names = versions.compactMap { ($0["label"] as? [String: Any])?["name"] as? String }
        #expect(names.count == 2 && names[0] != names[1] && names[1].contains("mosaics"), "\(names)")
        #expect(versions.first?["toRevision"] as? Int == versions.last?["fromRevision"] as? Int)

        // The diff of the last round names what changed, by dataset, with names in its cells.
        let diff = try run(cli, ["diff", "--db", db, "--source", "sdmx"])
        #expect(diff.status == 0, "\(diff.stderr)")
        #expect(diff.stdout.contains("TRADE_CN_KP — "), "\(diff.stdout)")
        #expect(diff.stdout.contains("Democratic People's Republic of Korea"), "\(diff.stdout)")

        // sources: each dataset's title, each reference document's state.
        let listed = try run(cli, ["sources", "--db", db])
        #expect(listed.stdout.contains("TRADE_CN_KP") && listed.stdout.contains("China-DPRK"), "\(listed.stdout)")
        let failing = try #require(
            listed.stdout.split(separator: "\n").first {
                $0.hasPrefix("sdmx-nostructure") && $0.contains(" structure:")
            })
        #expect(failing.contains("failing"), "\(failing)")
        let reader = try SQLiteCache(path: db, access: .readOnly)
        #expect(try reader.verify().passed)
    }
}

/// A structure-specific message read through the daemon with the structure it follows, and
/// without: the structure tells dimensions from attributes and gives groups their series.
@Suite("Structure-specific SDMX-ML through the daemon, split by the stored structure")
struct StructureSplitEndToEndTests {
    let directory = TemporaryDirectory()
    let cli = builtProduct("tradewatch")

    @Test(
        "With the structure: keys in its order, VALUATION an attribute, group attributes kept; without: the heuristic, said"
    )
    func splitByStructure() throws {
        let server = try FolderServer(folder: repositoryRoot + "/Tests/Fixtures/statistics/structure")
        let db = directory.file("cache.db")
        let config = directory.file("tradewatch.toml")
        try """
        [daemon]
        cache = "\(db)"
        jitter = "0s"
        startup_spread = "0s"

        [[source]]
        name = "with"
        kind = "sdmx"
        url = "\(server.url("/trade-ss-groups.xml"))"
        structure_url = "\(server.url("/trade-2.1.xml"))"

        [[source]]
        name = "without"
        kind = "sdmx"
        url = "\(server.url("/trade-ss-groups.xml"))"
        structure = false

        """.write(toFile: config, atomically: true, encoding: .utf8)
        let once = try run(builtProduct("tradewatchd"), ["--config", config, "--once"])
        #expect(once.status == 0, "\(once.stdout)\n\(once.stderr)")
        let lines = once.stdout.split(separator: "\n")
        let without = try #require(lines.first { $0.hasPrefix("without:") })
        #expect(without.contains("without the data structure definition"), "\(without)")
        let with = try #require(lines.first { $0.hasPrefix("with:") })
        #expect(!with.contains("without the data structure definition"), "\(with)")

        func observations(_ source: String) throws -> [[String: Any]] {
            let shown = try run(cli, ["show", source, "--db", db, "--json"])
            let document = try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any]
            return try #require(document?["observations"] as? [[String: Any]])
        }
        let split = try observations("with")
        let wigs = try #require(
            split.first {
                $0["series"] as? String == "FREQ=M.REPORTER=156.PARTNER=408.FLOW=M.CMD=6704"
                    && $0["period"] as? String == "2019-01"
            }, "\(split.map { $0["series"] ?? "" })")
        let attributes = try #require(wigs["attributes"] as? [String: String])
        #expect(attributes["VALUATION"] == "CIF")
        #expect(attributes["SOURCE_NOTE"] == "General Administration of Customs")  // from its group
        #expect(wigs["status"] as? String == "A")
        // The labels of the structure's codelists name the codes in show's JSON.
        let labels = try #require(wigs["labels"] as? [String: [String: String]])
        #expect(labels["CMD"]?["name"]?.hasPrefix("Wigs") == true, "\(labels)")
        // The group's attributes reach only the series it covers (reporter 156, partner 408).
        let reverse = try #require(split.first { ($0["series"] as? String)?.contains("REPORTER=408") == true })
        #expect((reverse["attributes"] as? [String: String])?["SOURCE_NOTE"] == nil)

        // Without the structure VALUATION is taken for a dimension: the keys say so.
        let guessed = try observations("without")
        #expect(guessed.contains { ($0["series"] as? String)?.contains("VALUATION=CIF") == true })
        #expect(!split.contains { ($0["series"] as? String)?.contains("VALUATION") == true })
    }
}
