import Foundation
import TestSupport
import Testing
import TradeWatchFormats
import TradeWatchModel

func structureFixture(_ name: String) throws -> Data {
    try fixture("structure/" + name)
}

/// Reads a structure message in chunks of `size` bytes, as the fetcher hands a body over.
func readStructure(_ data: Data, chunk size: Int = 1 << 16) throws -> SDMXStructureMessage {
    try SDMXStructureReader.read(url: "https://sdmx.example/structure") { feed in
        var offset = 0
        while offset < data.count {
            let end = min(offset + size, data.count)
            try feed(data.subdata(in: offset..<end))
            offset = end
        }
    }
}

extension LabelBatch {
    func label(_ component: String, _ code: String, _ language: String = "en") -> CodeLabel? {
        labels.first { $0.component == component && $0.code == code && $0.language == language }
    }
}

extension DatasetStructure {
    func attribute(_ id: String) -> Component? { attributes.first { $0.id == id } }
    func dimension(_ id: String) -> Component? { dimensions.first { $0.id == id } }
}

@Suite("SDMX structure messages: codelists, concepts, data structures, dataflows")
struct SDMXStructureReaderTests {
    @Test("The ECB sample DSD: dimensions in order, time, attributes with their attachments, external lists warned")
    func corpusStructure() throws {
        guard let path = Corpora.file("sdmx/ECB_EXR/ng-structure.xml") else {
            return Corpora.skip("sdmx/ECB_EXR/ng-structure.xml")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let message = try readStructure(data)
        let dsd = try #require(message.dataStructures.first)
        #expect(message.dataStructures.count == 1)
        #expect(dsd.reference.description == "ECB:ECB_EXR_NG(1.0)")
        #expect(dsd.dimensions.map(\.id) == ["FREQ", "CURRENCY", "CURRENCY_DENOM", "EXR_TYPE", "EXR_VAR"])
        #expect(dsd.timeDimension?.id == "TIME_PERIOD")
        #expect(dsd.measures.map(\.id) == ["OBS_VALUE"])
        // Every codelist and concept scheme is a stub pointing elsewhere: each is named.
        #expect(message.codelists.count == 8)
        #expect(message.codelists.allSatisfy { $0.isExternal && $0.codes.isEmpty })
        #expect(
            message.warnings.contains("codelist ISO:CL_CURRENCY(1.0) is external; its codes are not in this message"),
            "\(message.warnings)")
        #expect(message.warnings.contains { $0.contains("SDMX:CROSS_DOMAIN_CONCEPTS(1.0) is external") })

        let batches = message.batches()
        #expect(batches.count == 1)  // no dataflow: one batch for the DSD, named by its id
        let batch = try #require(message.batch(for: "ECB_EXR_NG"))
        #expect(batches.first == batch)
        #expect(message.batch(for: "EXR") == nil)
        #expect(batch.labels.isEmpty)
        #expect(batch.complete.isEmpty)
        let structure = try #require(batch.structure)
        #expect(structure.dataset == "ECB_EXR_NG")
        #expect(structure.reference == "ECB:ECB_EXR_NG(1.0)")
        #expect(
            structure.names.preferred == "Sample Data Structure Definition for exchange rates, with no group defined.")
        #expect(structure.dimension("CURRENCY")?.codelist == "ISO:CL_CURRENCY(1.0)")
        #expect(structure.dimension("FREQ")?.codelist == nil)  // the concept's scheme is not in the message
        let collection = try #require(structure.attribute("COLL_METHOD"))
        #expect(collection.attachment == .dimensions)
        #expect(collection.attachedTo == ["EXR_TYPE", "EXR_VAR"])
        #expect(collection.mandatory == false)
        let decimals = try #require(structure.attribute("DECIMALS"))
        #expect(decimals.attachedTo == ["CURRENCY", "CURRENCY_DENOM", "EXR_TYPE"])
        #expect(decimals.mandatory == true)
        #expect(structure.attribute("UNIT_MEASURE")?.codelist == "ISO:CL_CURRENCY(1.0)")
        #expect(structure.attribute("TITLE")?.attachedTo.count == 4)
        // The id the data uses, not the concept's (CONF_STATUS).
        #expect(structure.attribute("CONF_STATUS_OBS")?.attachment == .observation)
        #expect(structure.attribute("OBS_STATUS")?.attachment == .observation)
        #expect(structure.attributes.count == 7)

        // Fed a few bytes at a time, the same message.
        #expect(try readStructure(data, chunk: 7) == message)
    }

    @Test("A 2.1 message: the dataflow's title, key order by position, every attachment, labels by language")
    func fixture21() throws {
        let message = try readStructure(try structureFixture("trade-2.1.xml"), chunk: 100)
        let batches = message.batches()
        #expect(batches.map(\.dataset) == ["TRADE_CN_KP"])
        let batch = try #require(message.batch(for: "TRADE_CN_KP"))
        // Asked for by the structure's id, the structure's batch, titled by the structure.
        #expect(message.batch(for: "TRADE")?.structure?.names.preferred == "Merchandise trade by partner and commodity")
        #expect(message.batch(for: "CL_HS") == nil)
        let structure = try #require(batch.structure)
        #expect(structure.names.preferred == "China's trade with the DPRK by HS heading")
        #expect(structure.names.first { $0.language == "fr" }?.text.hasPrefix("Commerce de la Chine") == true)
        #expect(structure.reference == "PUB:TRADE(1.0)")
        #expect(structure.dimensions.map(\.id) == ["FREQ", "REPORTER", "PARTNER", "FLOW", "CMD"])
        #expect(structure.timeDimension == "TIME_PERIOD")
        #expect(structure.measures.map(\.id) == ["OBS_VALUE"])
        // FREQ names no list of its own: its concept's core representation does.
        #expect(structure.dimension("FREQ")?.codelist == "PUB:CL_FREQ(1.0)")
        #expect(structure.dimension("FREQ")?.names.map(\.text) == ["Frequency", "Fréquence"])
        #expect(structure.dimension("CMD")?.codelist == "PUB:CL_HS(2017)")

        #expect(structure.attribute("COMMENT_DSET")?.attachment == .dataset)
        #expect(structure.attribute("COMMENT_DSET")?.mandatory == false)
        #expect(structure.attribute("SOURCE_NOTE")?.attachment == .group)
        #expect(structure.attribute("SOURCE_NOTE")?.attachedTo == ["REPORTER", "PARTNER"])
        #expect(structure.attribute("UNIT_MULT")?.attachment == .group)  // dimensions with an AttachmentGroup
        #expect(structure.attribute("UNIT_MULT")?.attachedTo == ["REPORTER", "PARTNER"])
        #expect(structure.attribute("VALUATION")?.attachment == .dimensions)
        #expect(structure.attribute("VALUATION")?.attachedTo == ["FLOW"])
        #expect(structure.attribute("UNIT_MEASURE")?.attachedTo.count == 5)
        #expect(structure.attribute("OBS_STATUS")?.attachment == .observation)
        #expect(structure.attribute("OBS_STATUS")?.mandatory == true)
        #expect(structure.attribute("OBS_STATUS")?.codelist == "SDMX:CL_OBS_STATUS(2.0)")

        // HS: names in both languages, parents up the hierarchy.
        let wigs = try #require(batch.label("CMD", "6704"))
        #expect(wigs.name.hasPrefix("Wigs, false beards, eyebrows and eyelashes"))
        #expect(wigs.parent == "67")
        #expect(batch.label("CMD", "6704", "fr")?.name.hasPrefix("Perruques, barbes") == true)
        #expect(batch.label("CMD", "670411")?.parent == "6704")
        #expect(batch.label("CMD", "67")?.parent == nil)
        // One list, two components: each gets the names under its own id.
        #expect(batch.label("REPORTER", "408")?.name == "Korea, Democratic People's Republic of")
        #expect(batch.label("PARTNER", "408", "fr")?.name == "Corée, République populaire démocratique de")
        // An annotation's text and a description are not names.
        #expect(
            batch.labels.filter { $0.component == "REPORTER" && $0.code == "156" }.map(\.name) == ["China", "Chine"])
        #expect(batch.label("OBS_STATUS", "P")?.name == "Provisional value")
        // Markup-like text and control characters come out as the characters they are.
        #expect(
            batch.label("CMD", "9999")?.name
                == "<b>Bold</b> & <i>raw</i> \u{202E}reversed\u{202C}\ttab\u{85}next\u{9B}31m")

        // Complete lists only: the partial VALUATION list is labels to add, the external units none.
        #expect(batch.complete == ["FREQ", "REPORTER", "PARTNER", "FLOW", "CMD", "OBS_STATUS"])
        #expect(batch.label("VALUATION", "CIF")?.name == "Cost, insurance and freight")
        #expect(!batch.labels.contains { $0.component == "UNIT_MEASURE" })
        #expect(message.warnings == ["codelist SDMX:CL_UNIT(1.0) is external; its codes are not in this message"])
        #expect(batch.codes["FLOW"] == ["M", "X"])
        #expect(batch.codes["VALUATION"] == nil)
    }

    @Test("The same structure in SDMX-ML 3.0: URN and text references, usage, Dataflow and Observation relationships")
    func fixture30() throws {
        let message = try readStructure(try structureFixture("trade-3.0.xml"))
        let batch = try #require(message.batch(for: "TRADE_CN_KP"))
        let structure = try #require(batch.structure)
        #expect(structure.reference == "PUB:TRADE(1.0.0)")
        #expect(structure.names.first { $0.language == "zh-Hans" }?.text == "中国与朝鲜按协调制度品目的贸易")
        #expect(structure.dimensions.map(\.id) == ["FREQ", "REPORTER", "PARTNER", "FLOW", "CMD"])
        #expect(structure.timeDimension == "TIME_PERIOD")
        #expect(structure.measures.map(\.id) == ["OBS_VALUE"])
        #expect(structure.dimension("FREQ")?.codelist == "PUB:CL_FREQ(1.0.0)")
        #expect(structure.dimension("REPORTER")?.names.preferred == "Reporting economy")
        #expect(structure.attribute("COMMENT_DSET")?.attachment == .dataset)
        #expect(structure.attribute("COMMENT_DSET")?.mandatory == false)
        #expect(structure.attribute("SOURCE_NOTE")?.attachment == .group)
        #expect(structure.attribute("SOURCE_NOTE")?.attachedTo == ["REPORTER", "PARTNER"])
        #expect(structure.attribute("UNIT_MULT")?.attachment == .dimensions)
        #expect(structure.attribute("UNIT_MULT")?.mandatory == true)
        #expect(structure.attribute("OBS_STATUS")?.attachment == .observation)
        #expect(batch.label("CMD", "6704")?.parent == "67")
        #expect(batch.label("CMD", "6704", "zh-Hans")?.name == "假发、假胡须、假眉毛、假睫毛及类似品")
        #expect(batch.label("PARTNER", "156")?.name == "China")
        #expect(batch.label("CMD", "9999")?.name == "<script>alert(1)</script> \u{7F}\u{9F}end")
        #expect(batch.complete == ["FREQ", "REPORTER", "PARTNER", "FLOW", "CMD", "OBS_STATUS"])
        #expect(message.warnings == ["codelist SDMX:CL_UNIT(1.0.0) is external; its codes are not in this message"])

        // What 2.1 and 3.0 say alike comes out alike.
        let older = try #require(try readStructure(try structureFixture("trade-2.1.xml")).batch(for: "TRADE_CN_KP"))
        let shared: Set<String> = ["FREQ", "REPORTER", "PARTNER", "FLOW"]
        #expect(
            Set(batch.labels.filter { shared.contains($0.component) })
                == Set(older.labels.filter { shared.contains($0.component) }))
        #expect(structure.attributes.map(\.id) == older.structure?.attributes.map(\.id).filter { $0 != "VALUATION" })
    }

    @Test("A message without dataflows gives one batch per structure; a dataflow whose structure is absent, none")
    func resolution() throws {
        let full = String(decoding: try structureFixture("trade-2.1.xml"), as: UTF8.self)
        // Without its Dataflows section: the DSD's own batch, titled by the DSD.
        let start = try #require(full.range(of: "<s:Dataflows>"))
        let end = try #require(full.range(of: "</s:Dataflows>"))
        let withoutFlows = full.replacingCharacters(in: start.lowerBound..<end.upperBound, with: "")
        let bare = try readStructure(Data(withoutFlows.utf8))
        #expect(bare.batches().map(\.dataset) == ["TRADE"])
        #expect(bare.batch(for: "TRADE")?.structure?.names.preferred == "Merchandise trade by partner and commodity")
        // Without the DSD: the dataflow cannot be labelled, and the reader says why.
        let dsdStart = try #require(full.range(of: "<s:DataStructures>"))
        let dsdEnd = try #require(full.range(of: "</s:DataStructures>"))
        let withoutDSD = full.replacingCharacters(in: dsdStart.lowerBound..<dsdEnd.upperBound, with: "")
        let flowOnly = try readStructure(Data(withoutDSD.utf8))
        #expect(flowOnly.batches().isEmpty)
        #expect(flowOnly.batch(for: "TRADE_CN_KP") == nil)
        #expect(
            flowOnly.warnings.contains(
                "dataflow PUB:TRADE_CN_KP(1.0): its data structure PUB:TRADE(1.0) is not in this message"),
            "\(flowOnly.warnings)")
        #expect(flowOnly.dataflows.first?.names.count == 2)
    }
}
