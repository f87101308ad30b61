import Foundation
import TestSupport
import Testing
import TradeWatchFormats
import TradeWatchModel

/// The publisher simulator's names, read by the readers the daemon uses: what the demo shows.
@Suite("The publisher simulator's labels")
struct PublisherLabelTests {
    static let query =
        "/comtrade/data/v1/get/C/M/HS?reporterCode=156&partnerCode=408&period=201906&subscription-key=k"

    /// Every reference file a source of classification `HS` reads, by component and code.
    func references(_ publisher: Publisher) async throws -> [String: CodeLabel] {
        var names: [String: CodeLabel] = [:]
        for document in ComtradeReference.documents(classification: "HS") {
            let path = "/comtrade/" + ComtradeReference.folder + document.file
            let read = try ComtradeReference.read(try await publisher.get(path), document: document)
            #expect(read.warnings.isEmpty, "\(document.file)")
            for label in read.labels { names["\(label.component)=\(label.code)"] = label }
        }
        return names
    }

    @Test("Its reference files name every code of its Comtrade data, as the data's descriptions do")
    func comtradeReferences() async throws {
        let publisher = try Publisher()
        let index = try ComtradeReference.readIndex(
            try await publisher.get("/comtrade/" + ComtradeReference.folder + ComtradeReference.indexFile))
        for entry in index {
            let document = try #require(ComtradeReference.document(category: entry.category), "\(entry.category)")
            #expect(entry.fileURI == publisher.url("/comtrade/" + ComtradeReference.folder + document.file))
        }
        let names = try await references(publisher)
        #expect(names["REPORTER=156"]?.name == "China")
        #expect(names["PARTNER=408"]?.name == "Dem. People's Rep. of Korea")
        #expect(names["PARTNER2=0"]?.name == "World")
        #expect(names["CMD=6704"]?.parent == "67")
        #expect(names["CMD=67"]?.parent == "TOTAL")
        #expect(names["CMD=TOTAL"]?.parent == nil)

        let collected = Collected()
        _ = try ComtradeReader.read(
            try await publisher.get(Self.query + "&includeDesc=true"), dataset: "d", into: collected.output)
        let described = collected.labels.map(\.label)
        // Reporter, partner, partner 2, customs and mode of transport, 2 flows, 5 commodities: each once.
        #expect(described.count == 12)
        for label in described {
            let key = "\(label.component)=\(label.code)"
            let reference = try #require(names[key], "\(key) has no reference label")
            // The totals are worded differently in data and reference files, as Comtrade does.
            if !["CMD=TOTAL", "CUSTOMS=C00", "MOT=0"].contains(key) {
                #expect(label.name == reference.name, "\(key)")
            }
        }
        #expect(Set(described.map { "\($0.component)=\($0.code)" }).count == described.count)
    }

    @Test("From round 2 on, HS 9701 has a new wording in every document that names it")
    func rename() async throws {
        for (round, name) in [
            (1, "Paintings, drawings and pastels, executed entirely by hand; collages and similar decorative plaques"),
            (
                2,
                "Paintings, drawings and pastels, executed entirely by hand; collages, mosaics and similar decorative plaques"
            ),
        ] {
            let publisher = try Publisher(round: round)
            #expect(try await references(publisher)["CMD=9701"]?.name == name, "round \(round)")

            let described = Collected()
            _ = try ComtradeReader.read(
                try await publisher.get(Self.query + "&includeDesc=true&cmdCode=9701"), dataset: "d",
                into: described.output)
            #expect(described.labels.first { $0.label.component == "CMD" }?.label.name == name, "round \(round)")

            var mapping = CSVMapping(dataset: "CUSTOMS")
            mapping.delimiter = UInt8(ascii: ";")
            mapping.decimalSeparator = UInt8(ascii: ",")
            mapping.dimensions = [("Flow", "FLOW"), ("HS", "CMD")]
            mapping.period = "Month"
            mapping.value = "Value"
            mapping.flags = "Flag"
            mapping.labels = [("CMD", "HS description")]
            let csv = Collected()
            _ = try CSVStatisticsReader.read(
                try await publisher.get("/csv/cn-kp-trade.csv"), mapping: mapping, into: csv.output)
            #expect(csv.labels.map(\.label.code) == ["0307", "2601", "6704", "9701", "TOTAL"])
            #expect(csv.labels.first { $0.label.code == "9701" }?.label.name == name, "round \(round)")
        }
    }
}
