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

    /// The variant of a payload of `kind` whose first bytes are `head`; nil when `kind` is
    /// not a statistics kind.
    public static func detect(_ head: Data, kind: PayloadKind) -> StatisticsFormat? {
        let text = String(decoding: head.prefix(FormatSniffer.window), as: UTF8.self)
        switch kind {
        case .comtradeJSON: return .comtradeV1
        case .csv: return .csv
        case .sdmxJSON:
            // 2.0 wraps the data sets in `data` next to `meta`; 1.0 has `header` and
            // `dataSets` at the top.
            if text.contains("\"meta\"") { return .sdmxJSON20 }
            if text.contains("\"header\"") || text.contains("\"dataSets\"") && !text.contains("\"data\"") {
                return .sdmxJSON10
            }
            return text.contains("\"data\"") ? .sdmxJSON20 : .sdmxJSON10
        case .sdmxML:
            if text.contains("sdmxml/schemas/v3_0/") { return .sdmxML30 }
            return rootElement(text).hasPrefix("StructureSpecific") ? .sdmxML21StructureSpecific : .sdmxML21Generic
        default: return nil
        }
    }

    /// The local name of the first element that is not a declaration, comment or doctype.
    private static func rootElement(_ text: String) -> Substring {
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<") {
            let after = rest[rest.index(after: open)...]
            if after.hasPrefix("?") || after.hasPrefix("!") {
                guard let close = after.firstIndex(of: ">") else { return "" }
                rest = after[after.index(after: close)...]
                continue
            }
            let name = after.prefix { !$0.isWhitespace && $0 != ">" && $0 != "/" }
            return name.split(separator: ":").last ?? ""
        }
        return ""
    }
}
