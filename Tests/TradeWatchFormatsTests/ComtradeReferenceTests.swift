import Foundation
import TestSupport
import Testing
import TradeWatchFormats
import TradeWatchModel

func referenceFixture(_ name: String) throws -> Data {
    try fixture("comtrade-reference/" + name)
}

func document(_ file: String) throws -> ComtradeReferenceDocument {
    try #require(ComtradeReference.documents.first { $0.file == file })
}

@Suite("UN Comtrade reference files")
struct ComtradeReferenceTests {
    @Test("The table names each file, the dimensions it labels and where it lies")
    func table() throws {
        let documents = ComtradeReference.documents(classification: "H5")
        #expect(
            documents.map(\.file) == [
                "Reporters.json", "partnerAreas.json", "tradeRegimes.json", "CustomsCodes.json",
                "ModeOfTransportCodes.json", "Frequency.json", "H5.json",
            ])
        let product = try #require(documents.last)
        #expect(product.components == ["CMD"])
        #expect(product.category == "cmd:H5")
        #expect(ComtradeReference.documents(classification: "HS").last?.file == "HS.json")
        // A classification without a published list gets the common files only.
        #expect(ComtradeReference.documents(classification: "ZZ").count == ComtradeReference.common.count)
        #expect(try document("partnerAreas.json").components == ["PARTNER", "PARTNER2"])
        #expect(ComtradeReference.document(category: "CMD:h6")?.file == "H6.json")
        #expect(
            ComtradeReference.url(of: try document("Reporters.json"), baseURL: "https://comtradeapi.un.org/")
                == "https://comtradeapi.un.org/files/v1/app/reference/Reporters.json")
        #expect(
            ComtradeReference.url(of: try document("H5.json"), folder: "https://mirror.example/reference/")
                == "https://mirror.example/reference/H5.json")
        #expect(
            ComtradeReference.indexURL(baseURL: "http://127.0.0.1:8408/comtrade")
                == "http://127.0.0.1:8408/comtrade/files/v1/app/reference/ListofReferences.json")
    }

    @Test("Every component a file labels is a dimension of Comtrade data keys")
    func componentsMatchData() throws {
        let record = """
            {"count": 1, "error": "", "data": [{"typeCode": "C", "freqCode": "M", "period": "201906",
             "classificationCode": "H5", "reporterCode": 156, "partnerCode": 408, "partner2Code": 0,
             "flowCode": "M", "cmdCode": "6704", "customsCode": "C00", "motCode": 0, "primaryValue": 1}]}
            """
        let collected = Collected()
        _ = try ComtradeReader.read(Data(record.utf8), dataset: "d", into: collected.output)
        let key = try #require(collected.observations.first).series
        let dimensions = Set(key.dimensions.map(\.id))
        for document in ComtradeReference.documents {
            for component in document.components {
                #expect(dimensions.contains(component), "\(document.file) labels \(component)")
            }
        }
        // Codes are written as the data writes them: 156, 0, C00, 6704.
        #expect(key.canonical.contains("REPORTER=156.PARTNER=408.PARTNER2=0.FLOW=M.CMD=6704.CUSTOMS=C00.MOT=0"))
    }

    @Test("Areas: current and former ones, groups included, codes as the data writes them")
    func areas() throws {
        let reporters = try ComtradeReference.read(
            referenceFixture("Reporters.json"), document: try document("Reporters.json"))
        #expect(reporters.labels.map(\.code) == ["156", "408", "810", "97"])
        #expect(reporters.labels.allSatisfy { $0.component == "REPORTER" && $0.language == "en" && $0.parent == nil })
        #expect(reporters.labels.first { $0.code == "810" }?.name == "USSR (...1990)")
        #expect(reporters.complete == ["REPORTER"])
        #expect(reporters.warnings.isEmpty)

        let partners = try ComtradeReference.read(
            referenceFixture("partnerAreas.json"), document: try document("partnerAreas.json"))
        // One list names both partner dimensions.
        #expect(partners.labels.count == 6)
        #expect(partners.complete == ["PARTNER", "PARTNER2"])
        let world = partners.labels.filter { $0.code == "0" }
        #expect(Set(world.map(\.component)) == ["PARTNER", "PARTNER2"])
        #expect(world.allSatisfy { $0.name == "World" })
        #expect(partners.labels.contains { $0.code == "408" && $0.name == "Dem. People's Rep. of Korea" })
        // Names as published, trailing space and all.
        #expect(partners.labels.contains { $0.code == "248" && $0.name == "Åland Islands " })
    }

    @Test("Flows, customs procedures, modes of transport and frequencies")
    func codes() throws {
        let expected: [(String, String, [String: String])] = [
            ("tradeRegimes.json", "FLOW", ["M": "Import", "X": "Export", "RX": "Re-export"]),
            (
                "CustomsCodes.json", "CUSTOMS",
                ["C00": "TOTAL customs procedure codes", "C01": "Clearance for home use"]
            ),
            ("ModeOfTransportCodes.json", "MOT", ["0": "TOTAL modes of transport", "2000": "Water", "2100": "Sea"]),
            ("Frequency.json", "FREQ", ["A": "Annual", "M": "Monthly"]),
        ]
        for (file, component, names) in expected {
            let read = try ComtradeReference.read(referenceFixture(file), document: try document(file))
            #expect(read.labels.allSatisfy { $0.component == component && $0.parent == nil }, "\(file)")
            #expect(Dictionary(uniqueKeysWithValues: read.labels.map { ($0.code, $0.name) }) == names, "\(file)")
        }
    }

    @Test("A classification: names without the code written before them, parents, the root has none")
    func classification() throws {
        let read = try ComtradeReference.read(referenceFixture("H5.json"), document: try document("H5.json"))
        let byCode = Dictionary(uniqueKeysWithValues: read.labels.map { ($0.code, $0) })
        #expect(read.labels.allSatisfy { $0.component == "CMD" })
        #expect(byCode["TOTAL"]?.parent == nil)
        #expect(byCode["TOTAL"]?.name == "Total - All H5 commodities")
        #expect(byCode["67"]?.parent == "TOTAL")
        let wigs = try #require(byCode["6704"])
        #expect(wigs.parent == "67")
        #expect(
            wigs.name
                == "Wigs, false beards, eyebrows and eyelashes; switches and the like, of human or animal hair or of textile materials; other articles of human hair n.e.s."
        )
        #expect(byCode["670420"]?.parent == "6704")
        // A parent listed after its child is still the parent.
        #expect(byCode["9701"]?.parent == "97")
        // A name that does not start with its code is left whole.
        #expect(byCode["999999"]?.name == "Commodities not specified according to kind")
        #expect(read.complete == ["CMD"])
    }

    @Test("A code whose last scalar joins the separator into one character: no trap, the name cut by its bytes")
    func combiningCode() throws {
        // U+0600 is a "prepend" scalar: "\u{0600} " is one Character, so a cut counted in
        // Characters would remove one too many (or trap on a name of nothing but the prefix).
        let text =
            ##"{"results": [{"id": "\u0600", "text": "\u0600 - Wigs", "parent": "#"}, {"id": "\u0600\u0600", "text": "\u0600\u0600 - ", "parent": "#"}]}"##
        let read = try ComtradeReference.read(Data(text.utf8), document: try document("H5.json"))
        #expect(read.labels.map(\.name) == ["Wigs"])
    }

    @Test("Any chunking of the file gives the same labels")
    func chunks() throws {
        let data = try referenceFixture("H5.json")
        let whole = try ComtradeReference.read(data, document: try document("H5.json"))
        for size in [1, 7, 64, 1000] {
            let chunked = try ComtradeReference.read(document: try document("H5.json")) { feed in
                var start = data.startIndex
                while start < data.endIndex {
                    let end = min(start + size, data.endIndex)
                    try feed(data[start..<end])
                    start = end
                }
            }
            #expect(chunked == whole, "chunks of \(size)")
        }
    }

    @Test("The index lists each category's file")
    func index() throws {
        let entries = try ComtradeReference.readIndex(try referenceFixture("ListofReferences.json"))
        #expect(entries.map(\.category) == ["reporter", "partner", "cmd:H5", "qtyunit"])
        #expect(entries[2].fileURI == "https://comtradeapi.un.org/files/v1/app/reference/H5.json")
        #expect(entries[2].description == "The classification of HS 2017 – goods")
        #expect(
            entries.compactMap { ComtradeReference.document(category: $0.category)?.file } == [
                "Reporters.json", "partnerAreas.json", "H5.json",
            ])
    }

    @Test("A code listed twice keeps its current entry and says so")
    func repeatedCodes() throws {
        let text = """
            {"results": [
              {"id": 251, "text": "France (...1996)", "entryExpiredDate": "1996-12-31T00:00:00"},
              {"id": 251, "text": "France"},
              {"id": 156, "text": "China"},
              {"id": 156, "text": "China (again)"}
            ]}
            """
        let read = try ComtradeReference.read(Data(text.utf8), document: try document("Reporters.json"))
        #expect(read.labels.map(\.name) == ["France", "China"])
        #expect(
            read.warnings == [
                "Reporters.json lists 2 codes more than once; the current entry of each (else the first) is kept"
            ])
    }

    @Test(
        "Hostile or broken files are errors naming the file, the entry and the reason",
        arguments: [
            ("", "is not valid JSON"),
            ("{\"results\": [{\"id\": 1, \"text\": \"A\"}", "is not valid JSON"),
            ("<html>Service Unavailable</html>", "is not valid JSON"),
            ("[1, 2]", "is a JSON array, not an object with results"),
            ("{\"more\": false}", "has no results list"),
            ("{\"statusCode\": 404, \"message\": \"Resource not found\"}", "Comtrade answered 404: Resource not found"),
            ("{\"results\": null}", "results is null, not a list"),
            ("{\"results\": {\"id\": 1}}", "results is an object, not a list"),
            ("{\"results\": []}", "lists no codes"),
            ("{\"results\": [{\"id\": 1, \"text\": \"A\"}, 7]}", "Tradefile entry 2: is the number 7, not an object"),
            ("{\"results\": [[1]]}", "Tradefile entry 1: is a list, not an object"),
            ("{\"results\": [{\"text\": \"A\"}]}", "Tradefile entry 1: has no id"),
            (
                "{\"results\": [{\"id\": null, \"text\": \"A\"}]}",
                "Tradefile entry 1: has an id that is not a code (null)"
            ),
            ("{\"results\": [{\"id\": true, \"text\": \"A\"}]}", "has an id that is not a code (true)"),
            ("{\"results\": [{\"id\": \"\", \"text\": \"A\"}]}", "has an id that is not a code"),
            ("{\"results\": [{\"id\": 4}]}", "Tradefile entry 1: has no text (the name of code 4)"),
            ("{\"results\": [{\"id\": 4, \"text\": 12}]}", "has a text that is not a string (the number 12)"),
            ("{\"results\": [{\"x\": " + String(repeating: "[", count: 100_000), "nested deeper than 512 levels"),
        ])
    func hostile(text: String, reason: String) throws {
        let document = ComtradeReferenceDocument(category: "x", file: "Tradefile", components: ["X"])
        #expect {
            try ComtradeReference.read(Data(text.utf8), document: document)
        } throws: { error in
            guard let error = error as? StatisticsError else { return false }
            let shown = "\(error)"
            #expect(shown.contains(reason), "\(shown)")
            #expect(shown.contains("Tradefile"), "\(shown)")
            return error.code == (reason.hasPrefix("Comtrade answered") ? .publisherError : .malformed)
        }
    }

    @Test("Blank names are left out with a warning; ids as whole numbers read as the data writes them")
    func lenient() throws {
        let text = """
            {"results": [{"id": 4.0, "text": "Afghanistan"}, {"id": 8, "text": "  "}, {"id": "all", "text": "All"},
             {"id": 12, "text": "Algeria", "extra": {"nested": [1, {"id": 99, "text": "not an entry"}]}}]}
            """
        let read = try ComtradeReference.read(Data(text.utf8), document: try document("Reporters.json"))
        #expect(read.labels.map(\.code) == ["4", "all", "12"])
        #expect(read.warnings == ["Reporters.json has 1 entry with an empty name, left out"])
    }
}

@Suite("Descriptions that come with Comtrade data")
struct ComtradeDescriptionTests {
    @Test("Each described code is labelled once per message; a differing later name is sent too")
    func fixtureDescriptions() throws {
        let collected = Collected()
        let summary = try ComtradeReader.read(
            try referenceFixture("data-with-descriptions.json"), dataset: "comtrade/C/M/HS", into: collected.output)
        #expect(summary.observations == 3)
        #expect(collected.labels.allSatisfy { $0.dataset == "comtrade/C/M/HS" && $0.label.language == "en" })
        let sent = collected.labels.map { "\($0.label.component)=\($0.label.code): \($0.label.name)" }
        #expect(
            sent == [
                "REPORTER=156: China", "PARTNER=408: Dem. People's Rep. of Korea", "PARTNER2=0: World",
                "FLOW=M: Import",
                "CMD=6704: Wigs, false beards, eyebrows and eyelashes; switches and the like, of human or animal hair or of textile materials; other articles of human hair n.e.s.",
                "CUSTOMS=C00: TOTAL CPC", "MOT=0: TOTAL MOT",
                // The third record: a new flow and commodity, and another wording for partner 408.
                // Its null, empty and numeric descriptions name nothing.
                "PARTNER=408: Democratic People's Republic of Korea", "FLOW=X: Export", "CMD=TOTAL: All Commodities",
            ])
    }

    @Test("A message without descriptions labels nothing")
    func none() throws {
        let collected = Collected()
        _ = try ComtradeReader.read(try fixture("comtrade-monthly.json"), dataset: "d", into: collected.output)
        #expect(collected.labels.isEmpty)
        #expect(collected.observations.count == 6)
    }

    @Test("The recorded comtradr answer names its codes")
    func corpus() throws {
        let relative = "comtrade/testthat/data/comtradeapi.un.org/data/v1/get/C/A/HS-60a6ad.json"
        guard let path = Corpora.file(relative) else { return Corpora.skip(relative) }
        let collected = Collected()
        _ = try ComtradeReader.read(
            try Data(contentsOf: URL(fileURLWithPath: path)), dataset: "comtrade/C/A/HS", into: collected.output)
        let names = Dictionary(
            collected.labels.map { ("\($0.label.component)=\($0.label.code)", $0.label.name) },
            uniquingKeysWith: { _, last in last })
        #expect(names["REPORTER=156"] == "China")
        #expect(names["PARTNER=32"] == "Argentina")
        #expect(names["PARTNER=276"] == "Germany")
        #expect(names["PARTNER2=0"] == "World")
        #expect(names["FLOW=M"] == "Import")
        #expect(names["FLOW=X"] == "Export")
        #expect(names["CMD=TOTAL"] == "All Commodities")
        #expect(names["CUSTOMS=C00"] == "TOTAL CPC")
        #expect(names["MOT=0"] == "TOTAL MOT")
        // Four records, nine distinct codes: each sent once.
        #expect(collected.labels.count == names.count)
    }
}
