import Foundation
import TestSupport
import Testing
import TradeWatchFormats
import TradeWatchModel

/// What the statistics readers must never lose: every observation of a message under a key
/// of its own, a word when a message repeats a key, the flow the message names, and a clean
/// error (never a crash) for numbers no structure can hold.
@Suite("Statistics fidelity: keys, repeats, dataset names, hostile numbers")
struct SDMXFidelityTests {
    @Test("Explicit measures: each measure of a cross-sectional section is an observation of its own")
    func explicitMeasures() throws {
        let collected = Collected()
        let summary = try SDMXMLReader.read(dataset: "TRADE_XS", output: collected.output) { feed in
            try feed(try fixture("sdmx-explicit-measures.xml"))
        }
        #expect(summary.observations == 6)
        // Read without its structure: the only word is that the split was by names.
        #expect(summary.warnings == [SDMXStructuredDataTests.heuristicWarning], "\(summary.warnings)")
        let keys = Set(collected.observations.map { "\($0.series.canonical)@\($0.period.text)" })
        #expect(keys.count == 6)
        let exports = "FREQ=M.REPORTER=CN.PARTNER=KP.INDICATOR=EXPORTS"
        #expect(collected.value(exports, "2019-06") == "215.4")
        #expect(collected.value("FREQ=M.REPORTER=CN.PARTNER=KP.INDICATOR=BALANCE", "2019-07") == "174.9")
        let imports = try #require(
            collected.observations.first {
                $0.series["INDICATOR"] == "IMPORTS" && $0.period.text == "2019-07"
            })
        #expect(imports.status == "P")
        #expect(imports.unit == "USD")
        #expect(imports.unitMultiplier == 6)
    }

    @Test("A key given twice in one message is never merged silently: the warning names it and how often")
    func repeatedKeys() throws {
        let collected = Collected()
        let summary = try SDMXMLReader.read(dataset: "T", output: collected.output) { feed in
            try feed(try fixture("sdmx-repeated-keys.xml"))
        }
        #expect(summary.observations == 5)
        let warning = try #require(summary.warnings.first { $0.contains("more than once") }, "\(summary.warnings)")
        #expect(warning.contains("T/FREQ=M.PARTNER=KP@2019-01 (2 times)"), "\(warning)")
        #expect(warning.contains("T/FREQ=M.PARTNER=KP@2019-02 (2 times)"), "\(warning)")
        #expect(warning.contains("2 keys"), "\(warning)")
        #expect(!warning.contains("MN"), "\(warning)")

        // The same in SDMX-JSON (two data sets with the same observation) and in CSV.
        let json = Data(
            """
            {"dataSets": [{"observations": {"0:0": [1]}}, {"observations": {"0:0": [2]}}],
             "structure": {"dimensions": {"observation": [{"id": "REF_AREA", "values": [{"id": "KP"}]},
                {"id": "TIME_PERIOD", "values": [{"id": "2019"}]}]}}}
            """.utf8)
        let fromJSON = try SDMXJSONReader.read(json, dataset: "J", into: Collected().output)
        #expect(fromJSON.warnings.contains { $0.contains("J/REF_AREA=KP@2019 (2 times)") }, "\(fromJSON.warnings)")
        var mapping = CSVMapping(dataset: "C")
        mapping.dimensions = [("HS", "CMD")]
        let csv = Data("HS,PERIOD,VALUE\n6704,2019,5\n6704,2019,6\n6704,2018,4\n".utf8)
        let fromCSV = try CSVStatisticsReader.read(csv, mapping: mapping, into: Collected().output)
        #expect(fromCSV.warnings.contains { $0.contains("C/CMD=6704@2019 (2 times)") }, "\(fromCSV.warnings)")
    }

    /// The references a message's data sets hand to the naming, and what was read.
    func references(_ data: Data, json: Bool = false) throws -> ([SDMXReference], Collected) {
        var seen: [SDMXReference] = []
        let naming: (SDMXReference) -> String = { reference in
            seen.append(reference)
            return reference.dataflow ?? reference.structure ?? "sdmx"
        }
        let chunks: ((Data) throws -> Void) throws -> Void = { feed in try feed(data) }
        let collected = Collected()
        if json {
            _ = try SDMXJSONReader.read(naming: naming, into: collected.output, chunks: chunks)
        } else {
            _ = try SDMXMLReader.read(naming: naming, output: collected.output, chunks: chunks)
        }
        return (seen, collected)
    }

    @Test("The message's structure reference is handed to the naming: dataflow, else data structure")
    func references() throws {
        let (flow, read) = try references(try fixture("sdmx-repeated-keys.xml"))
        #expect(flow == [SDMXReference(dataflow: "TRADE_CN_KP")])
        #expect(read.observations.allSatisfy { $0.dataset == "TRADE_CN_KP" })

        let (structure, _) = try references(try fixture("sdmx-explicit-measures.xml"))
        #expect(structure == [SDMXReference(structure: "TRADE_XS")])

        // SDMX-ML 3.0 names the flow by URN, as text.
        let urn = Data(
            """
            <message:StructureSpecificData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message" \
            xmlns:common="http://www.sdmx.org/resources/sdmxml/schemas/v3_0/common">
            <message:Header><message:ID>X</message:ID>
            <message:Structure structureID="S" dimensionAtObservation="TIME_PERIOD">
            <common:StructureUsage>urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=PUB:TRADE_CN_KP(1.0)\
            </common:StructureUsage>
            </message:Structure></message:Header>
            <message:DataSet structureRef="S"><Series FREQ="M" PARTNER="KP">\
            <Obs TIME_PERIOD="2019-01" OBS_VALUE="1"/></Series></message:DataSet>
            </message:StructureSpecificData>
            """.utf8)
        #expect(try references(urn).0 == [SDMXReference(dataflow: "TRADE_CN_KP")])

        // SDMX-JSON: the structure's `dataflow` link.
        let (links, json) = try references(try fixture("sdmx-json-structure-first.json"), json: true)
        #expect(links == [SDMXReference(dataflow: "TRADE_CN_KP")])
        #expect(json.observations.count == 6)
        #expect(json.observations.allSatisfy { $0.dataset == "TRADE_CN_KP" })
    }

    @Test("Numbers no structure holds (a 29-digit structure index, -1, a huge keyPosition), deep nesting: clean errors")
    func hostileNumbers() throws {
        let folder = repositoryRoot + "/Tests/Fixtures/fuzz-regressions/sdmx-json/"
        for file in ["structure-index-overflow.json", "structure-index-negative.json"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: folder + file))
            #expect(throws: StatisticsError.self, "\(file)") {
                _ = try SDMXJSONReader.read(data, dataset: "F", into: Collected().output)
            }
        }
        // Two thousand nested arrays: refused at 512 levels rather than held in memory.
        let deep = try Data(contentsOf: URL(fileURLWithPath: folder + "deep-nesting.json"))
        #expect {
            _ = try SDMXJSONReader.read(deep, dataset: "F", into: Collected().output)
        } throws: { error in
            (error as? StatisticsError)?.message.contains("nested deeper than 512 levels") == true
        }
        let positions = try Data(contentsOf: URL(fileURLWithPath: folder + "key-position-overflow.json"))
        let collected = Collected()
        _ = try SDMXJSONReader.read(positions, dataset: "F", into: collected.output)
        #expect(collected.observations.map(\.series.canonical) == ["REF_AREA=KP"])
        // A count of 30 digits in a Comtrade answer is a warning's number, not a crash.
        let comtrade = Data(#"{"count": 123456789012345678901234567890, "data": [], "error": ""}"#.utf8)
        let summary = try ComtradeReader.read(comtrade, dataset: "c", into: Collected().output)
        #expect(summary.observations == 0)
    }
}
