import Foundation
import TestSupport
import Testing
import TradeWatchFormats
import TradeWatchModel

/// What is not a usable structure message is refused with where and why; what is hostile but
/// readable is read without a trap.
@Suite("SDMX structure messages: broken and hostile input")
struct SDMXStructureInputTests {
    static let head = """
        <?xml version="1.0" encoding="UTF-8"?>
        <m:Structure xmlns:m="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" \
        xmlns:s="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure" \
        xmlns:c="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common">
        <m:Header><m:ID>X</m:ID></m:Header><m:Structures><s:Codelists>
        """
    static let tail = "</s:Codelists></m:Structures></m:Structure>"

    func refusal(_ text: String) throws -> StatisticsError {
        do {
            let message = try readStructure(Data(text.utf8))
            Issue.record("read as a structure message: \(message)")
            throw CancellationError()
        } catch let error as StatisticsError {
            return error
        }
    }

    @Test("A message cut short is an error that says where it broke")
    func truncated() throws {
        let full = String(decoding: try structureFixture("trade-2.1.xml"), as: UTF8.self)
        let cut = String(full.prefix(full.utf8.count / 2))
        let error = try refusal(cut)
        #expect(error.code == .malformed)
        #expect(error.message.hasPrefix("broken XML"), "\(error)")
        #expect(error.place?.hasPrefix("line ") == true, "\(error)")
    }

    @Test("Not a structure message: data, another document, not XML, an SDMX error, an unread version")
    func wrongRoot() throws {
        let data = try refusal(String(decoding: try fixture("inspect-structure-specific.xml"), as: UTF8.self))
        #expect(data.code == .malformed)
        #expect(data.message.contains("an SDMX data message, not a structure message"), "\(data)")
        #expect(try refusal("<html><body>Maintenance</body></html>").message.contains("the document is <html>"))
        #expect(try refusal("{\"data\": {}}").message == "not an XML document")
        let failure = try refusal(
            """
            <mes:Error xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message">
            <mes:ErrorMessage code="100"><com:Text xmlns:com="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common">No results found</com:Text></mes:ErrorMessage></mes:Error>
            """)
        #expect(failure.code == .publisherError)
        #expect(failure.message.contains("No results found"))
        let old = try refusal(
            "<Structure xmlns=\"http://www.SDMX.org/resources/SDMXML/schemas/v2_0/message\"><Header/></Structure>")
        #expect(old.message.contains("not an SDMX structure message"), "\(old)")
    }

    @Test("A control character XML forbids is an error with its line, not a name cut short")
    func forbiddenCharacter() throws {
        let error = try refusal(
            Self.head
                + "\n<s:Codelist id=\"CL\"><c:Name>L</c:Name>\n<s:Code id=\"A\"><c:Name>A&#x1B;[31m</c:Name></s:Code>"
                + "</s:Codelist>" + Self.tail)
        #expect(error.code == .malformed)
        #expect(error.place?.hasPrefix("line 5") == true, "\(error)")
    }

    @Test("Missing ids are skipped with a warning; huge ids, long names and deep nesting never trap")
    func hostile() throws {
        let huge = String(repeating: "9", count: 200_000)
        let text =
            Self.head
                + """
                <s:Codelist agencyID="X"><c:Name>No id</c:Name><s:Code id="A"><c:Name>A</c:Name></s:Code></s:Codelist>
                <s:Codelist id="CL" agencyID="X" version="1.0"><c:Name>List</c:Name>
                <s:Code><c:Name>No id</c:Name></s:Code>
                <s:Code id="\(huge)"><c:Name xml:lang="en">\(String(repeating: "long ", count: 100_000))</c:Name><s:Parent><Ref/></s:Parent></s:Code>
                <s:Code id="B"><c:Name>B</c:Name><s:Parent></s:Parent></s:Code>
                <s:Code id="C">\(String(repeating: "<c:Annotations>", count: 200))\(String(repeating: "</c:Annotations>", count: 200))<c:Name>C</c:Name></s:Code>
                </s:Codelist></s:Codelists>
                <s:DataStructures><s:DataStructure id="D" agencyID="X" version="1.0"><c:Name>D</c:Name>
                <s:DataStructureComponents><s:DimensionList><s:Dimension position="99999999999999999999999"/>
                <s:Dimension id="A" position="-5"/></s:DimensionList>
                <s:AttributeList><s:Attribute><s:AttributeRelationship><s:Dimension/></s:AttributeRelationship></s:Attribute></s:AttributeList>
                </s:DataStructureComponents></s:DataStructure></s:DataStructures>
                <s:Codelists>
                """ + Self.tail
        let message = try readStructure(Data(text.utf8), chunk: 4096)
        #expect(message.codelists.map(\.reference.id) == ["CL"])
        let codes = try #require(message.codelists.first?.codes)
        #expect(codes.map(\.id) == [huge, "B", "C"])
        #expect(codes.first?.names.first?.text.count == 5 * 100_000 - 1)
        #expect(codes.allSatisfy { $0.parent == nil })
        #expect(message.warnings.contains("a codelist without an id was skipped"), "\(message.warnings)")
        #expect(message.warnings.contains("codelist X:CL(1.0): 1 code without an id skipped"), "\(message.warnings)")
        #expect(message.warnings.contains { $0.contains("a component (Dimension) without an id was skipped") })
        #expect(message.warnings.contains { $0.contains("a component (Attribute) without an id was skipped") })
        #expect(message.dataStructures.first?.dimensions.map(\.id) == ["A"])

        // Nesting deeper than libxml2 allows is refused, not recursed into.
        let deep = Self.head + String(repeating: "<x>", count: 100_000) + Self.tail
        #expect(try refusal(deep).code == .malformed)
    }

    @Test("Warnings stop at a bound: a message of a million stubs cannot make them grow without end")
    func boundedWarnings() throws {
        var text = Self.head
        for index in 0..<500 {
            text += "<s:Codelist id=\"CL_\(index)\" agencyID=\"X\" version=\"1.0\" isExternalReference=\"true\"/>"
        }
        let message = try readStructure(Data((text + Self.tail).utf8))
        #expect(message.codelists.count == 500)
        #expect(message.warnings.count == 51)
        #expect(message.warnings.last == "and 450 more warnings")
    }
}

@Suite("SDMX-JSON structure messages")
struct SDMXStructureJSONTests {
    @Test("SDMX-JSON 1.0: the same dataflow, structure and labels as the SDMX-ML message")
    func json() throws {
        let data = try structureFixture("trade-1.0.json")
        // Fed a few bytes at a time, as a body arrives.
        let message = try SDMXStructureJSONReader.read { feed in
            var offset = 0
            while offset < data.count {
                try feed(data.subdata(in: offset..<min(offset + 13, data.count)))
                offset += 13
            }
        }
        let batch = try #require(message.batch(for: "TRADE_CN_KP"))
        let structure = try #require(batch.structure)
        #expect(structure.names.preferred == "China's trade with the DPRK by HS heading")
        #expect(structure.reference == "PUB:TRADE(1.0)")
        #expect(structure.dimensions.map(\.id) == ["FREQ", "REPORTER", "PARTNER", "FLOW", "CMD"])
        #expect(structure.timeDimension == "TIME_PERIOD")
        #expect(structure.measures.map(\.id) == ["OBS_VALUE"])
        #expect(structure.dimension("FREQ")?.codelist == "PUB:CL_FREQ(1.0)")
        #expect(structure.dimension("FREQ")?.names.map(\.text) == ["Frequency", "Fréquence"])
        #expect(structure.dimension("CMD")?.names == [DatasetStructure.Name(language: "", text: "Commodity")])
        #expect(structure.attribute("COMMENT_DSET")?.attachment == .dataset)
        #expect(structure.attribute("SOURCE_NOTE")?.attachedTo == ["REPORTER", "PARTNER"])
        #expect(structure.attribute("UNIT_MULT")?.attachment == .group)
        #expect(structure.attribute("OBS_STATUS")?.attachment == .observation)
        #expect(structure.attribute("OBS_STATUS")?.mandatory == true)

        let xml = try #require(try readStructure(try structureFixture("trade-2.1.xml")).batch(for: "TRADE_CN_KP"))
        for component in ["FREQ", "REPORTER", "PARTNER"] {
            #expect(
                Set(batch.labels.filter { $0.component == component })
                    == Set(xml.labels.filter { $0.component == component }), "\(component)")
        }
        #expect(batch.label("CMD", "6704")?.parent == "67")
        #expect(batch.label("CMD", "9999")?.name == "<b>Bold</b> \u{1B}[31mred\u{0} \u{202E}")
        #expect(batch.complete == ["FREQ", "REPORTER", "PARTNER", "FLOW", "CMD"])
        #expect(
            message.warnings == [
                "codelist PUB:CL_FLOW(1.0): 1 code without an id skipped",
                "codelist SDMX:CL_OBS_STATUS(2.0) is external; its codes are not in this message",
            ])
    }

    @Test("SDMX-JSON that is not a structure message, an error answer, or cut short is refused")
    func refused() throws {
        func error(_ text: String) -> StatisticsError? {
            do {
                _ = try SDMXStructureJSONReader.read(Data(text.utf8))
                return nil
            } catch {
                return error as? StatisticsError
            }
        }
        #expect(error("{\"dataSets\": []}")?.message.contains("not an SDMX-JSON structure message") == true)
        #expect(error("[1, 2]")?.message == "expected a JSON object")
        #expect(error("{\"errors\": [{\"code\": 100, \"message\": \"No structures\"}]}")?.code == .publisherError)
        #expect(error("{\"data\": {\"codelists\": [{\"id\": \"CL\", \"codes\": [")?.code == .malformed)
        let deep = "{\"data\": {\"codelists\": [{\"id\": \"CL\", \"x\": " + String(repeating: "[", count: 5000)
        #expect(error(deep)?.code == .malformed)
    }
}
