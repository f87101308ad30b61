import Foundation
import Testing
import TradeWatchFormats
import TradeWatchModel

@Suite("CSV label columns")
struct CSVLabelTests {
    static let file = Data(
        """
        Flow;Flow name;HS;HS description;Month;Value
        M;Imports;6704;"Wigs, false beards; switches";2019-06;10
        M;Imports;6704;"Wigs, false beards; switches";2019-07;11
        X;Exports;6704;"Wigs, false beards; switches";2019-07;12
        M;Imports;9701;Paintings;2019-06;13
        M;Imports;9701;;2019-07;14
        M;Imports;9701;Paintings, drawings and pastels;2019-08;15

        """.utf8)

    var mapping: CSVMapping {
        var mapping = CSVMapping(dataset: "CUSTOMS")
        mapping.delimiter = UInt8(ascii: ";")
        mapping.dimensions = [("Flow", "FLOW"), ("HS", "CMD")]
        mapping.period = "Month"
        mapping.value = "Value"
        mapping.labels = [("CMD", "HS description"), ("FLOW", "Flow name")]
        return mapping
    }

    @Test("Each row names its code once; a later different name is sent again and counts")
    func labels() throws {
        let collected = Collected()
        let summary = try CSVStatisticsReader.read(Self.file, mapping: mapping, into: collected.output)
        #expect(summary.observations == 6)
        let sent = collected.labels.map { "\($0.dataset) \($0.label.component)=\($0.label.code): \($0.label.name)" }
        #expect(
            sent == [
                "CUSTOMS CMD=6704: Wigs, false beards; switches", "CUSTOMS FLOW=M: Imports", "CUSTOMS FLOW=X: Exports",
                "CUSTOMS CMD=9701: Paintings", "CUSTOMS CMD=9701: Paintings, drawings and pastels",
            ])
        // The file does not say which language its names are in.
        #expect(collected.labels.allSatisfy { $0.label.language.isEmpty && $0.label.parent == nil })
    }

    @Test("A label column is never kept as an attribute, even when also listed as one")
    func notAnAttribute() throws {
        var mapping = self.mapping
        mapping.attributes = [("HS description", "DESCRIPTION"), ("Flow name", "FLOW_NAME")]
        mapping.labels = [("CMD", "HS description")]
        let collected = Collected()
        _ = try CSVStatisticsReader.read(Self.file, mapping: mapping, into: collected.output)
        #expect(collected.observations.allSatisfy { $0.attributes["DESCRIPTION"] == nil })
        #expect(collected.observations.first?.attributes["FLOW_NAME"] == "Imports")
        #expect(collected.labels.count == 3)
    }

    @Test("A label of no dimension, or a label column the file lacks, is an error")
    func errors() throws {
        var mapping = self.mapping
        mapping.labels = [("PARTNER", "HS description")]
        #expect {
            try CSVStatisticsReader.read(Self.file, mapping: mapping, into: Collected().output)
        } throws: { error in
            "\(error)" == "the label column \"HS description\" names PARTNER, which is not a dimension"
        }
        mapping.labels = [("CMD", "Description")]
        #expect {
            try CSVStatisticsReader.read(Self.file, mapping: mapping, into: Collected().output)
        } throws: { error in
            "\(error)".contains("has no column \"Description\"")
        }
    }
}
