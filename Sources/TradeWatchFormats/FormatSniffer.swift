public import Foundation

/// What a payload is, judged from its first bytes rather than from the Content-Type, which
/// publishers often get wrong.
public enum PayloadKind: String, Sendable, Hashable, CaseIterable {
    case rss
    case rdf
    case atom
    case jsonFeed = "json-feed"
    case sdmxML = "sdmx-ml"
    case sdmxJSON = "sdmx-json"
    case comtradeJSON = "comtrade-json"
    case html
    case csv
    case unknown

    public var isFeed: Bool { self == .rss || self == .rdf || self == .atom || self == .jsonFeed }
    public var isStatistics: Bool { self == .sdmxML || self == .sdmxJSON || self == .comtradeJSON || self == .csv }
}

public enum FormatSniffer {
    /// How many leading bytes are looked at.
    public static let window = 4096

    /// Classifies `prefix` (the first bytes of a payload; more than `window` are ignored).
    public static func sniff(_ prefix: Data, contentType: String? = nil) -> PayloadKind {
        let head = decodeHead(prefix.prefix(window))
        let trimmed = head.drop { $0.isWhitespace || $0 == "\u{feff}" }
        if trimmed.hasPrefix("{") || trimmed.hasPrefix("[") { return sniffJSON(String(trimmed)) }
        if trimmed.hasPrefix("<") { return sniffMarkup(String(trimmed)) }
        if let contentType, contentType.lowercased().contains("csv") { return .csv }
        if looksLikeCSV(String(trimmed)) { return .csv }
        return .unknown
    }

    /// The head as text: UTF-16 when a BOM or the zero-byte pattern says so, else UTF-8
    /// (Latin-1 and the CJK encodings share ASCII for the markers we look for).
    private static func decodeHead(_ bytes: Data) -> String {
        var array = [UInt8](bytes)
        if array.starts(with: [0xFF, 0xFE]) || array.starts(with: [0xFE, 0xFF]) {
            let littleEndian = array[0] == 0xFF
            array.removeFirst(2)
            return decodeUTF16Head(array, littleEndian: littleEndian)
        }
        if array.count > 1 && array[0] == 0x3C && array[1] == 0 { return decodeUTF16Head(array, littleEndian: true) }
        if array.count > 1 && array[0] == 0 && array[1] == 0x3C { return decodeUTF16Head(array, littleEndian: false) }
        return String(decoding: array, as: UTF8.self)
    }

    /// Only the ASCII markers matter here, so keep the low byte of each code unit.
    private static func decodeUTF16Head(_ array: [UInt8], littleEndian: Bool) -> String {
        let offset = littleEndian ? 0 : 1
        return String(
            decoding: stride(from: offset, to: array.count - 1 + offset, by: 2).map { array[$0] }, as: UTF8.self)
    }

    private static func sniffJSON(_ text: String) -> PayloadKind {
        if text.contains("jsonfeed.org/version") { return .jsonFeed }
        if text.contains("\"version\"") && text.contains("\"items\"") { return .jsonFeed }
        if text.contains("\"dataSets\"") || text.contains("\"structure\"") && text.contains("\"meta\"")
            || text.contains("sdmx")
        {
            return .sdmxJSON
        }
        if text.contains("\"data\"") && (text.contains("\"count\"") || text.contains("\"elapsedTime\"")) {
            return .comtradeJSON
        }
        if text.contains("\"data\"") && text.contains("\"dataSets\"") { return .sdmxJSON }
        return .unknown
    }

    private static func sniffMarkup(_ text: String) -> PayloadKind {
        // The first element that is not a declaration, comment, processing instruction or doctype.
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<") {
            let after = rest[rest.index(after: open)...]
            if after.hasPrefix("?") || after.hasPrefix("!") {
                if after.hasPrefix("!DOCTYPE html") || after.hasPrefix("!doctype html") { return .html }
                guard let close = after.firstIndex(of: ">") else { return .unknown }
                rest = after[after.index(after: close)...]
                continue
            }
            let name = after.prefix { !$0.isWhitespace && $0 != ">" && $0 != "/" }
            let local = name.split(separator: ":").last.map(String.init)?.lowercased() ?? ""
            switch local {
            case "rss": return .rss
            case "rdf": return .rdf
            case "feed": return .atom
            case "html": return .html
            case _ where sdmxRoots.contains(local):
                return .sdmxML
            default:
                return text.contains("http://www.sdmx.org") ? .sdmxML : .unknown
            }
        }
        return .unknown
    }

    /// Root elements of SDMX-ML data messages (2.0, 2.1, 3.0), and the error message.
    private static let sdmxRoots: Set<String> = [
        "genericdata", "structurespecificdata", "generictimeseriesdata", "structurespecifictimeseriesdata",
        "compactdata", "utilitydata", "crosssectionaldata", "error",
    ]

    private static func looksLikeCSV(_ text: String) -> Bool {
        let lines = text.split(whereSeparator: \.isNewline).prefix(5)
        guard lines.count >= 2 else { return false }
        for separator in [",", ";", "\t", "|"] {
            let counts = lines.dropLast().map { $0.components(separatedBy: separator).count }
            if let first = counts.first, first > 1, counts.allSatisfy({ $0 == first }) { return true }
        }
        return false
    }
}
