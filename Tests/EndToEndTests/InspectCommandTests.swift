import Foundation
import TestSupport
import Testing

/// `tradewatch inspect` on statistics files and URLs, run as a user would run it.
@Suite("inspect parses statistics")
struct InspectCommandTests {
    let cli = builtProduct("tradewatch")
    let fixtures = repositoryRoot + "/Tests/Fixtures/statistics/"

    /// One series as printed: its dataset, key (in order), attributes and observations.
    struct Series {
        var dataset: String
        var action: String
        var key: [String: String]
        var attributes: [String: String]
        var observations: [[String: Any]]

        var periods: [String] { observations.compactMap { $0["period"] as? String } }
        var values: [String?] { observations.map { $0["value"] as? String } }
        var statuses: [String?] { observations.map { $0["status"] as? String } }
    }

    /// Runs `inspect --json` and parses the whole document, as a consumer would.
    func inspectJSON(_ arguments: [String]) throws -> (ProcessResult, [String: Any]) {
        let result = try run(cli, ["inspect", "--json"] + arguments)
        let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return (result, try #require(document, "not a JSON object: \(result.stdout)\(result.stderr)"))
    }

    func parsed(_ document: [String: Any]) throws -> [String: Any] {
        try #require(document["parsed"] as? [String: Any])
    }

    func series(_ document: [String: Any]) throws -> [Series] {
        let datasets = try #require(try parsed(document)["datasets"] as? [[String: Any]])
        return datasets.flatMap { dataset in
            (dataset["series"] as? [[String: Any]] ?? []).map {
                Series(
                    dataset: dataset["id"] as? String ?? "", action: dataset["action"] as? String ?? "",
                    key: $0["key"] as? [String: String] ?? [:],
                    attributes: $0["attributes"] as? [String: String] ?? [:],
                    observations: $0["observations"] as? [[String: Any]] ?? [])
            }
        }
    }

    @Test("A generic SDMX-ML 2.1 message: series keys in order, values, statuses and attributes as published")
    func genericSDMXML() throws {
        let (result, document) = try inspectJSON([fixtures + "inspect-generic.xml"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(document["detected"] as? String == "sdmx-ml")
        let parsed = try parsed(document)
        #expect(parsed["kind"] as? String == "stats")
        #expect(parsed["format"] as? String == "sdmx-ml-2.1-generic")
        #expect((parsed["warnings"] as? [String])?.isEmpty == true)
        let datasets = try #require(parsed["datasets"] as? [[String: Any]])
        #expect(datasets.count == 1)
        #expect(datasets.first?["action"] as? String == "Replace")
        #expect(
            datasets.first?["attributes"] as? [String: String] == ["SOURCE_AGENCY": "CUSTOMS", "UNIT_MEASURE": "USD"])

        let all = try series(document)
        #expect(all.count == 2)
        let exports = try #require(all.first)
        #expect(exports.key == ["FREQ": "M", "REPORTER": "CN", "PARTNER": "KP", "FLOW": "X"])
        #expect(result.stdout.contains(#"{"FREQ":"M","REPORTER":"CN","PARTNER":"KP","FLOW":"X"}"#))
        #expect(exports.attributes["TITLE"] == #"Wigs "and" false beards \ 假发"#)
        #expect(exports.attributes["UNIT_MEASURE"] == "USD")
        #expect(exports.periods == ["2019-01", "2019-02", "2019-03"])
        #expect(exports.values == ["1250.5", "1300", nil])
        #expect(exports.statuses == ["A", "A", "M"])
        #expect(exports.observations.last?["attributes"] as? [String: String] == ["COMMENT_OBS": "not yet compiled"])
        let imports = try #require(all.last)
        #expect(imports.key["FLOW"] == "M")
        #expect(imports.periods == ["2018-12", "2019-01"])
        #expect(imports.values == ["80.25", "95"])

        let summary = try #require(parsed["summary"] as? [String: Any])
        #expect(summary["series"] as? Int == 2)
        #expect(summary["observations"] as? Int == 5)
        #expect(summary["firstPeriod"] as? String == "2018-12")
        #expect(summary["lastPeriod"] as? String == "2019-03")
    }

    @Test("A structure-specific SDMX-ML 2.1 message")
    func structureSpecificSDMXML() throws {
        let (result, document) = try inspectJSON([fixtures + "inspect-structure-specific.xml"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try parsed(document)["format"] as? String == "sdmx-ml-2.1-structure-specific")
        let only = try #require(try series(document).first)
        #expect(only.key == ["FREQ": "Q", "REPORTER": "CN", "PARTNER": "KP", "FLOW": "X"])
        #expect(only.attributes == ["UNIT_MEASURE": "USD", "UNIT_MULT": "3"])
        #expect(only.periods == ["2019-Q1", "2019-Q2"])
        #expect(only.values == ["4.5", "5.25"])
        #expect(only.statuses == ["A", "E"])
    }

    @Test(
        "A prolog longer than the first read (a 20 KB comment, a DOCTYPE) does not hide the message's kind or variant")
    func longProlog() throws {
        let directory = TemporaryDirectory()
        let original = try String(contentsOfFile: fixtures + "inspect-structure-specific.xml", encoding: .utf8)
        let declaration = try #require(original.range(of: "?>"))
        let padded =
            String(original[..<declaration.upperBound])
            + "\n<!-- " + String(repeating: "generated <GenericData> by a tool that says a lot. ", count: 400) + "-->"
            + "\n<!DOCTYPE message [ <!-- ] > --> ]>" + String(original[declaration.upperBound...])
        let path = directory.file("padded.xml")
        try padded.write(toFile: path, atomically: true, encoding: .utf8)
        let (result, document) = try inspectJSON([path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(document["detected"] as? String == "sdmx-ml")
        #expect(try parsed(document)["format"] as? String == "sdmx-ml-2.1-structure-specific")
        #expect(try series(document).first?.values == ["4.5", "5.25"])
    }

    @Test("An SDMX-JSON 2.0 message, positions resolved against its structure")
    func sdmxJSON() throws {
        let (result, document) = try inspectJSON([fixtures + "sdmx-data-2.0.json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(document["detected"] as? String == "sdmx-json")
        #expect(try parsed(document)["format"] as? String == "sdmx-json-2.0")
        let all = try series(document)
        #expect(
            all.map(\.key) == [
                ["REPORTER": "CN", "FLOW": "M", "CMD": "6704"], ["REPORTER": "CN", "FLOW": "X", "CMD": "6704"],
            ])
        #expect(all.first?.values == ["1500.5", "1620"])
        #expect(all.last?.values == [nil, "2411000.25"])
        #expect(all.first?.statuses == ["A", "P"])
        #expect(all.first?.periods == ["2019-05", "2019-06"])
    }

    @Test("A Comtrade v1 answer: a series per measure, stored under the daemon's dataset id; warnings shown")
    func comtrade() throws {
        let (result, document) = try inspectJSON([fixtures + "comtrade-monthly.json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try parsed(document)["format"] as? String == "comtrade-v1")
        let all = try series(document)
        #expect(all.count == 6)
        #expect(Set(all.map(\.dataset)) == ["comtrade/C/M/HS"])
        let exportValue = try #require(all.first { $0.key["FLOW"] == "X" && $0.key["MEASURE"] == "primaryValue" })
        #expect(exportValue.periods == ["2019-06"])
        #expect(exportValue.values == ["2411000"])
        #expect(exportValue.attributes["UNIT_MEASURE"] == "USD")

        let (counted, countedDocument) = try inspectJSON([fixtures + "inspect-comtrade-count.json"])
        #expect(counted.status == 0)
        #expect(try parsed(countedDocument)["warnings"] as? [String] == ["Comtrade says count 5 but sent 1 records"])
        let table = try run(cli, ["inspect", fixtures + "inspect-comtrade-count.json"])
        #expect(table.stdout.contains("warning        Comtrade says count 5 but sent 1 records"))
    }

    @Test("A CSV read through a --mapping file: separators, missing markers, flags and attributes")
    func csvWithMapping() throws {
        let (result, document) = try inspectJSON([
            fixtures + "customs-decimal-comma.csv", "--mapping", fixtures + "inspect-customs-mapping.toml",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try parsed(document)["format"] as? String == "csv")
        let all = try series(document)
        #expect(Set(all.map(\.dataset)) == ["customs"])
        #expect(all.map { $0.key["CMD"] } == ["6704", "6704", "9701"])
        #expect(all.map(\.values) == [["2411000.50"], [nil], ["80125.75"]])
        #expect(all.map(\.statuses) == [["A"], ["P"], ["P"]])
        #expect(all[1].attributes["Note"] == "late; estimated")

        // Detected as CSV, or said to be: either way the columns need a mapping.
        let directory = TemporaryDirectory()
        let plain = directory.file("plain.csv")
        try "REPORTER,PERIOD,VALUE\nCN,2019,1\nKP,2019,2\n".write(toFile: plain, atomically: true, encoding: .utf8)
        for arguments in [[plain], [fixtures + "customs-decimal-comma.csv", "--kind", "csv"]] {
            let unmapped = try run(cli, ["inspect"] + arguments)
            #expect(unmapped.status == 1)
            #expect(unmapped.stderr.contains("a CSV needs its mapping: give --mapping FILE.toml"))
        }
    }

    @Test("A CSV read as a configured source does (--source NAME --config FILE)")
    func csvWithConfiguredSource() throws {
        let directory = TemporaryDirectory()
        let config = directory.file("tradewatch.toml")
        try """
        [[source]]
        name = "customs"
        kind = "csv"
        url = "https://customs.example/trade.csv"
        dataset = "customs-monthly"
        delimiter = ";"
        skip_lines = 1
        dimensions = ["Reporter", "Partner", "Flow", "HS"]
        period = "Month"
        value = "Value"
        decimal = ","
        thousands = "."
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let (result, document) = try inspectJSON([
            fixtures + "customs-decimal-comma.csv", "--source", "customs", "--config", config,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let all = try series(document)
        #expect(Set(all.map(\.dataset)) == ["customs-monthly"])
        #expect(all.first?.key == ["Reporter": "China", "Partner": "DPRK", "Flow": "Export", "HS": "6704"])
        #expect(all.first?.values == ["2411000.50"])

        let missing = try run(
            cli, ["inspect", fixtures + "customs-decimal-comma.csv", "--source", "nope", "--config", config])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no source named \"nope\""))
    }

    @Test("--source with a configuration that crashes the TOML parser: one line, exit 1, not an abort")
    func crashingConfiguration() throws {
        let crashing = repositoryRoot + "/Tests/Fixtures/fuzz-regressions/toml/crash-stray-brace-in-inline-table-array"
        let result = try run(
            cli, ["inspect", fixtures + "customs-decimal-comma.csv", "--source", "customs", "--config", crashing])
        #expect(result.status == 1)
        #expect(result.stderr.contains("the TOML parser crashed on this file"), "\(result.stderr)")
    }

    @Test("--kind overrides detection: a Comtrade answer the sniffer cannot tell is read when asked")
    func kindOverride() throws {
        let (undetected, plain) = try inspectJSON([fixtures + "inspect-comtrade-bare.json"])
        #expect(undetected.status == 0)
        #expect(plain["detected"] as? String == "unknown")
        #expect(plain["parsed"] == nil)

        let (forced, document) = try inspectJSON([fixtures + "inspect-comtrade-bare.json", "--kind", "comtrade"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try parsed(document)["format"] as? String == "comtrade-v1")
        let only = try #require(try series(document).first)
        #expect(only.periods == ["2019"])
        #expect(only.values == ["5120.5"])

        let wrong = try run(cli, ["inspect", fixtures + "comtrade-monthly.json", "--kind", "sdmx"])
        #expect(wrong.status == 1)
        // Asked for SDMX, a JSON document is read as SDMX-JSON, which says what it lacks.
        #expect(wrong.stderr.contains("not an SDMX-JSON data message"), "\(wrong.stderr)")
    }

    @Test("A URL is fetched with the daemon's policy and parsed; its secret never printed")
    func url() throws {
        let server = try FixtureServer()
        let (result, document) = try inspectJSON([server.url("/statistics/inspect-generic.xml?key=SECRET42")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("SECRET42") && !result.stderr.contains("SECRET42"))
        #expect((document["fetch"] as? [String: Any])?["status"] as? Int == 200)
        #expect(try parsed(document)["format"] as? String == "sdmx-ml-2.1-generic")
        #expect(try series(document).map(\.periods) == [["2019-01", "2019-02", "2019-03"], ["2018-12", "2019-01"]])
    }

    @Test("The table summarises datasets, series, observations, deletions and the period range")
    func table() throws {
        let result = try run(cli, ["inspect", fixtures + "inspect-generic.xml"])
        #expect(result.status == 0, "\(result.stderr)")
        for line in [
            "detected       sdmx-ml", "format         sdmx-ml-2.1-generic", "datasets       1", "series         2",
            "observations   5", "first period   2018-12", "last period    2019-03",
        ] {
            #expect(result.stdout.contains(line + "\n"), "\(line)")
        }

        let delta = try run(cli, ["inspect", fixtures + "sdmx-generic-delta.xml"])
        #expect(delta.status == 0, "\(delta.stderr)")
        for line in [
            "datasets       2", "series         1", "observations   2", "deletions      1", "first period   2019-04",
        ] {
            #expect(delta.stdout.contains(line + "\n"), "\(line)")
        }
        let (_, document) = try inspectJSON([fixtures + "sdmx-generic-delta.xml"])
        #expect(try series(document).map(\.action) == ["Replace", "Delete"])
        #expect(try series(document).last?.periods == ["2019-04"])
    }

    @Test("A broken file exits 1 with one line naming the file, the place and the reason")
    func malformed() throws {
        let path = fixtures + "inspect-mismatched.xml"
        let result = try run(cli, ["inspect", path])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains(path) == true)
        #expect(lines.first?.contains("line 8") == true)
        #expect(!result.stderr.contains("Error Domain"))

        let (json, document) = try inspectJSON([path])
        #expect(json.status == 1)
        #expect((document["error"] as? [String: Any])?["code"] as? String == "malformed")

        let csv = try run(
            cli,
            [
                "inspect", fixtures + "inspect-bad-value.csv", "--mapping", fixtures + "inspect-customs-mapping.toml",
            ])
        #expect(csv.status == 1)
        #expect(csv.stderr.split(separator: "\n").count == 1)
        #expect(csv.stderr.contains("line 4") && csv.stderr.contains("\"lots\""))
    }

    @Test("A structure message: what the daemon would store of it, per dataset; a broken one is an error")
    func structureMessage() throws {
        let path = fixtures + "structure/trade-2.1.xml"
        let table = try run(cli, ["inspect", path])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("format         sdmx-ml structure message"))
        #expect(table.stdout.contains("dimensions  FREQ, REPORTER, PARTNER, FLOW, CMD; time TIME_PERIOD"))
        #expect(table.stdout.contains("SOURCE_NOTE (group)") && table.stdout.contains("OBS_STATUS (observation)"))
        let (_, document) = try inspectJSON([path])
        #expect(document["format"] as? String == "sdmx-ml-structure")
        let dataset = try #require((document["datasets"] as? [[String: Any]])?.first)
        #expect(dataset["dataset"] as? String == "TRADE_CN_KP")
        let dimensions = (dataset["structure"] as? [String: Any])?["dimensions"] as? [[String: Any]]
        #expect(dimensions?.compactMap { $0["id"] as? String } == ["FREQ", "REPORTER", "PARTNER", "FLOW", "CMD"])
        let labels = try #require(dataset["labels"] as? [[String: Any]])
        #expect(
            labels.contains { $0["code"] as? String == "6704" && ($0["name"] as? String)?.hasPrefix("Wigs") == true })

        // Cut in the middle: an error naming the file and the place, exit 1.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let directory = TemporaryDirectory()
        let cut = directory.file("cut.xml")
        try String(text.prefix(text.count / 2)).write(toFile: cut, atomically: true, encoding: .utf8)
        let broken = try run(cli, ["inspect", cut])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("cut.xml"), "\(broken.stderr)")
    }

}
