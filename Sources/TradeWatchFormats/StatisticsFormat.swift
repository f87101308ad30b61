public import Foundation

/// The variant of a statistics message, told from its first bytes (the same head the sniffer
/// reads): which SDMX-ML message type and version, which SDMX-JSON version. The readers
/// accept every variant alike; this is what `tradewatch inspect` reports.
public enum StatisticsFormat: String, Sendable, CaseIterable {
    case sdmxML21Generic = "sdmx-ml-2.1-generic"
    case sdmxML21StructureSpecific = "sdmx-ml-2.1-structure-specific"
    case sdmxML30 = "sdmx-ml-3.0"
    case sdmxJSON10 = "sdmx-json-1.0"
    case sdmxJSON20 = "sdmx-json-2.0"
    case comtradeV1 = "comtrade-v1"
    case csv

    /// The variant of a payload of `kind` whose first bytes are `head` (enough of them to hold
    /// the root element; see `FormatSniffer.head`); nil when `kind` is not a statistics kind.
    public static func detect(_ head: Data, kind: PayloadKind) -> StatisticsFormat? {
        switch kind {
        case .comtradeJSON: return .comtradeV1
        case .csv: return .csv
        case .sdmxJSON:
            // 2.0 wraps the data sets in `data` next to `meta`; 1.0 has `header` and
            // `dataSets` at the top. Told from the top-level keys, never from keys nested deeper.
            let keys = FormatSniffer.topLevelKeys(head)
            return keys.contains("meta") || keys.contains("data") ? .sdmxJSON20 : .sdmxJSON10
        case .sdmxML:
            // 3.0's namespaces are declared on the root element, which the head holds.
            if head.firstRange(of: Data("sdmxml/schemas/v3_0/".utf8)) != nil { return .sdmxML30 }
            let root = FormatSniffer.rootElement(head) ?? ""
            return root.hasPrefix("StructureSpecific") ? .sdmxML21StructureSpecific : .sdmxML21Generic
        default: return nil
        }
    }
}
