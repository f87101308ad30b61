import Foundation
import TestSupport
import Testing
import TradeWatchFormats
import TradeWatchModel

/// Data read with its structure definition: the key is the structure's dimensions in its
/// order, the rest are attributes, groups lend their attributes, and a message that disagrees
/// with the structure is read with warnings.
@Suite("SDMX-ML data split by the data structure definition")
struct SDMXStructuredDataTests {
    /// The observations of `data`, read with `structure` (and the codes of `batch`) or without.
    func read(
        _ data: Data, batch: LabelBatch? = nil, dataset: String = "D"
    ) throws -> (StatisticsSummary, [Observation]) {
        let collected = Collected()
        let summary = try SDMXMLReader.read(
            dataset: dataset, structure: batch?.structure, codes: batch?.codes ?? [:], output: collected.output
        ) { feed in try feed(data) }
        return (summary, collected.observations)
    }

    static let heuristicWarning =
        "dimensions were told from attributes without the data structure definition (by SDMX's usual attribute names); keys may differ once it is known"

    @Test("ECB corpus: with the DSD, time-series, cross-sectional, flat and generic messages give the same keys")
    func corpus() throws {
        guard let base = Corpora.folder("sdmx/ECB_EXR") else { return Corpora.skip("sdmx/ECB_EXR") }
        func file(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: base + "/" + name)) }
        let batch = try #require(try readStructure(try file("ng-structure.xml")).batch(for: "ECB_EXR_NG"))
        let key = "FREQ=M.CURRENCY=CHF.CURRENCY_DENOM=EUR.EXR_TYPE=SP00.EXR_VAR=E"
        var figures: [String: Set<String>] = [:]
        for name in ["ng-ts-ss.xml", "ng-ts-gf-ss.xml", "ng-xs-ss.xml", "ng-flat-ss.xml", "ng-ts.xml", "ng-xs.xml"] {
            let (summary, observations) = try read(try file(name), batch: batch)
            #expect(summary.warnings.isEmpty, "\(name): \(summary.warnings)")
            #expect(observations.count == 12, "\(name)")
            figures[name] = Set(observations.map { "\($0.series.canonical)@\($0.period.text)=\($0.value ?? "")" })
            let chf = try #require(
                observations.first { $0.series.canonical == key && $0.period.text == "2010-08" }, "\(name)")
            #expect(chf.value == "1.3413")
            #expect(chf.status == "A")
            #expect(chf.unit == "CHF")
            #expect(chf.attributes["DECIMALS"] == "4")
            #expect(chf.attributes["CONF_STATUS_OBS"] == "F")
            #expect(chf.attributes["TITLE"] == "ECB reference exchange rate, Swiss franc/Euro")
        }
        #expect(Set(figures.values).count == 1, "\(figures)")

        // Without it, the cross-sectional message's key ends with the currency (the order the
        // message happens to give), and the summary says the split was a guess.
        let (summary, observations) = try read(try file("ng-xs-ss.xml"))
        #expect(summary.warnings == [Self.heuristicWarning])
        #expect(
            observations.contains {
                $0.series.canonical == "FREQ=M.CURRENCY_DENOM=EUR.EXR_TYPE=SP00.EXR_VAR=E.CURRENCY=CHF"
            })
        // A generic message names its dimensions itself: no guess to own up to.
        #expect(try read(try file("ng-ts.xml")).0.warnings.isEmpty)
    }

    @Test(
        "A group's attributes reach the series it covers; the structure tells an unfamiliar attribute from a dimension")
    func groups() throws {
        let batch = try #require(try readStructure(try structureFixture("trade-2.1.xml")).batch(for: "TRADE_CN_KP"))
        for file in ["trade-ss-groups.xml", "trade-generic-groups.xml"] {
            let (summary, observations) = try read(try structureFixture(file), batch: batch)
            #expect(summary.warnings.isEmpty, "\(file): \(summary.warnings)")
            #expect(
                Set(observations.map(\.series.canonical)) == [
                    "FREQ=M.REPORTER=156.PARTNER=408.FLOW=M.CMD=6704",
                    "FREQ=M.REPORTER=156.PARTNER=408.FLOW=X.CMD=6704",
                    "FREQ=M.REPORTER=408.PARTNER=156.FLOW=M.CMD=6704",
                ])
            let imports = try #require(
                observations.first { $0.series["FLOW"] == "M" && $0.series["REPORTER"] == "156" })
            #expect(imports.attributes["SOURCE_NOTE"] == "General Administration of Customs", "\(file)")
            #expect(imports.unitMultiplier == 3, "\(file)")
            #expect(imports.attributes["VALUATION"] == "CIF")
            #expect(imports.attributes["COMMENT_DSET"] == "As first published")
            #expect(imports.unit == "USD")
            // The series' own multiplier wins over its group's.
            let exports = try #require(observations.first { $0.series["FLOW"] == "X" })
            #expect(exports.unitMultiplier == 0, "\(file)")
            #expect(exports.attributes["SOURCE_NOTE"] == "General Administration of Customs", "\(file)")
            // The other direction is not in the group.
            let reverse = try #require(observations.first { $0.series["REPORTER"] == "408" })
            #expect(reverse.attributes["SOURCE_NOTE"] == nil)
            #expect(reverse.unitMultiplier == nil)
            #expect(reverse.status == "E" || file.contains("generic"))
        }

        // Without the structure, VALUATION (no SDMX attribute name) is taken for a dimension;
        // the group still reaches the series whose key has its values.
        let (summary, observations) = try read(try structureFixture("trade-ss-groups.xml"))
        #expect(summary.warnings == [Self.heuristicWarning])
        let guessed = try #require(observations.first { $0.series["FLOW"] == "M" && $0.series["REPORTER"] == "156" })
        #expect(guessed.series.canonical == "CMD=6704.FLOW=M.FREQ=M.PARTNER=408.REPORTER=156.VALUATION=CIF")
        #expect(guessed.attributes["SOURCE_NOTE"] == "General Administration of Customs")
        #expect(guessed.unitMultiplier == 3)
    }

    @Test(
        "IMF WEO corpus: the indicator's and the country's groups give their attributes to the series, even unstructured"
    )
    func weoGroups() throws {
        guard let path = Corpora.file("sdmx/IMF_RES/WEO-data.xml") else {
            return Corpora.skip("sdmx/IMF_RES/WEO-data.xml")
        }
        let (summary, observations) = try read(try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(summary.warnings == [Self.heuristicWarning])
        let only = try #require(observations.first)
        #expect(observations.count == 1)
        #expect(only.series["COUNTRY"] == "SVK" && only.series["INDICATOR"] == "NGDP_R")
        #expect(only.attributes["SERIES_NAME"] == "Gross domestic product (GDP), Constant prices, Domestic currency")
        #expect(only.unit == "XDC")
        // `&amp;` in an attribute value is an ampersand (libxml2 hands it over as `&#38;`).
        #expect(only.attributes["METHODOLOGY_NOTES"] == "Historical data source: Eurostat & Haver Analytics")
        #expect(only.attributes["PUBLISHER"] == "IMF")  // the data set's own
    }

    @Test("Data that disagrees with its structure is read, with warnings naming what disagrees")
    func mismatch() throws {
        let batch = try #require(try readStructure(try structureFixture("trade-2.1.xml")).batch(for: "TRADE_CN_KP"))
        let (summary, observations) = try read(try structureFixture("trade-ss-mismatch.xml"), batch: batch)
        #expect(observations.count == 3)
        #expect(
            Set(observations.map(\.series.canonical)) == [
                "FREQ=M.REPORTER=156.PARTNER=408.CMD=6704",
                "FREQ=M.REPORTER=156.PARTNER=408.FLOW=M.CMD=6704.CUSTOMS=C00",
                "FREQ=M.REPORTER=156.PARTNER=XX.FLOW=M.CMD=999999",
            ])
        #expect(
            summary.warnings == [
                "keys lack the dimension FLOW of the data structure PUB:TRADE(1.0)",
                "CUSTOMS is not a component of the data structure PUB:TRADE(1.0); read as a dimension",
                "PARTNER: 1 code not in its codelist PUB:CL_AREA(2.0): XX",
                "CMD: 1 code not in its codelist PUB:CL_HS(2017): 999999",
            ])
        // Without the codes, only the shape is checked.
        let collected = Collected()
        let shapeOnly = try SDMXMLReader.read(dataset: "D", structure: batch.structure, output: collected.output) {
            try $0(try structureFixture("trade-ss-mismatch.xml"))
        }
        #expect(shapeOnly.warnings.count == 2)
    }
}
