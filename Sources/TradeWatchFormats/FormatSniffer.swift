public import Foundation

/// What a payload is, judged from its start rather than from the Content-Type, which
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
}

/// Tells a payload's kind from the document's start: for XML, the root element after the
/// prolog (byte order mark, whitespace, XML declaration, comments, processing instructions and
/// DOCTYPE, however long); for JSON, the keys of the top-level object, read in order and
/// skipping each value whole (a large `structure` before `dataSets` included).
public enum FormatSniffer {
    /// How many leading bytes callers usually hand over; a prolog or a top-level value longer
    /// than this needs more of the document (see `classify(_:contentType:complete:)`).
    public static let window = 4096

    /// Classifies a document, or its first bytes: `data` ending early is read as far as it goes.
    public static func sniff(_ data: Data, contentType: String? = nil) -> PayloadKind {
        classify(data, contentType: contentType, complete: true) ?? .unknown
    }

    /// Classifies the start of a document that may still be arriving: nil when `data` ends
    /// before the decision can be made (inside the prolog, or before the JSON keys that tell)
    /// and `complete` is false. With `complete`, never nil.
    public static func classify(_ data: Data, contentType: String? = nil, complete: Bool) -> PayloadKind? {
        let bytes = lowBytes(data)
        var index = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        while index < bytes.count, isSpace(bytes[index]) { index += 1 }
        guard index < bytes.count else { return complete ? .unknown : nil }
        switch bytes[index] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var scanner = JSONTopLevel(bytes: bytes, index: index)
            return scanner.kind(complete: complete)
        case UInt8(ascii: "<"):
            return markup(bytes, from: index, complete: complete)
        default:
            if let contentType, contentType.lowercased().contains("csv") { return .csv }
            if !complete && bytes.count < window { return nil }
            let text = String(decoding: bytes[index..<min(bytes.count, index + window)], as: UTF8.self)
            return looksLikeCSV(text) ? .csv : .unknown
        }
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    /// The bytes to read the markers from: UTF-16 (told by its byte order mark or the zero-byte
    /// pattern of `<`) reduced to the low byte of each code unit; anything else as it is
    /// (Latin-1 and the CJK encodings share ASCII for the markers looked for).
    private static func lowBytes(_ data: Data) -> [UInt8] {
        let head = [UInt8](data.prefix(2))
        var offset = 0
        var littleEndian = true
        if head == [0xFF, 0xFE] || head == [0xFE, 0xFF] {
            offset = 2
            littleEndian = head[0] == 0xFF
        } else if head == [0x3C, 0] {
            littleEndian = true
        } else if head == [0, 0x3C] {
            littleEndian = false
        } else {
            return [UInt8](data)
        }
        let units = [UInt8](data.dropFirst(offset))
        let low = littleEndian ? 0 : 1
        var out: [UInt8] = []
        out.reserveCapacity(units.count / 2)
        var position = low
        while position < units.count {
            out.append(units[position])
            position += 2
        }
        return out
    }

    // MARK: XML

    private static func markup(_ bytes: [UInt8], from start: Int, complete: Bool) -> PayloadKind? {
        switch prolog(bytes, from: start) {
        case .root(let name): return root(bytes, from: name, complete: complete)
        case .htmlDoctype: return .html
        case .notMarkup: return .unknown
        case .cut: return complete ? .unknown : nil
        }
    }

    /// The top-level keys of a JSON document read until its kind was clear (all of them when it
    /// never was), in no order.
    public static func topLevelKeys(_ data: Data) -> Set<String> {
        let bytes = lowBytes(data)
        var index = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        var scanner = JSONTopLevel(bytes: bytes, index: index)
        _ = scanner.kind(complete: true)
        return Set(scanner.keys.keys)
    }

    /// The local name of a document's root element, past the prolog (comments, processing
    /// instructions and DOCTYPE of any length); nil when `data` has none.
    public static func rootElement(_ data: Data) -> String? {
        let bytes = lowBytes(data)
        var index = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        guard case .root(let start) = prolog(bytes, from: index) else { return nil }
        var end = start
        while end < bytes.count, !isSpace(bytes[end]), bytes[end] != UInt8(ascii: ">"), bytes[end] != UInt8(ascii: "/")
        {
            end += 1
        }
        let name = String(decoding: bytes[start..<end], as: UTF8.self)
        return name.split(separator: ":").last.map(String.init)
    }

    /// Where a markup document's prolog ends.
    private enum PrologEnd {
        /// The root element's name starts at this index.
        case root(Int)
        /// `<!DOCTYPE html>`: an HTML page.
        case htmlDoctype
        /// Something other than markup comes first.
        case notMarkup
        /// The bytes end inside the prolog.
        case cut
    }

    /// Steps over whitespace, the XML declaration, comments, processing instructions and a
    /// DOCTYPE (its internal subset included), however long.
    private static func prolog(_ bytes: [UInt8], from start: Int) -> PrologEnd {
        var index = start
        func starts(_ marker: String, caseInsensitive: Bool = false) -> Bool {
            let needle = Array(marker.utf8)
            guard index + needle.count <= bytes.count else { return false }
            return zip(bytes[index..<index + needle.count], needle).allSatisfy { have, want in
                caseInsensitive ? lower(have) == lower(want) : have == want
            }
        }
        func skip(past marker: String) -> Bool {
            guard let end = find(Array(marker.utf8), in: bytes, from: index) else { return false }
            index = end
            return true
        }
        while index < bytes.count {
            if isSpace(bytes[index]) {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "<") else { return .notMarkup }
            if starts("<?") {
                guard skip(past: "?>") else { return .cut }
            } else if starts("<!--") {
                guard skip(past: "-->") else { return .cut }
            } else if starts("<!doctype", caseInsensitive: true) {
                index += 9
                var name = index
                while name < bytes.count, isSpace(bytes[name]) { name += 1 }
                index = name
                if starts("html", caseInsensitive: true) {
                    let after = name + 4
                    if after < bytes.count, isSpace(bytes[after]) || bytes[after] == UInt8(ascii: ">") {
                        return .htmlDoctype
                    }
                }
                guard let end = doctypeEnd(bytes, from: index) else { return .cut }
                index = end
            } else if starts("<!") {
                guard skip(past: ">") else { return .cut }
            } else {
                return .root(index + 1)
            }
        }
        return .cut
    }

    /// Just past the `>` that closes a DOCTYPE, stepping over its quoted literals and its
    /// internal subset (with the comments and declarations in it).
    private static func doctypeEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        var inSubset = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                guard let close = bytes[(index + 1)...].firstIndex(of: byte) else { return nil }
                index = close + 1
                continue
            case UInt8(ascii: "<") where inSubset && bytes[index...].starts(with: "<!--".utf8):
                guard let end = find(Array("-->".utf8), in: bytes, from: index + 4) else { return nil }
                index = end
                continue
            case UInt8(ascii: "["):
                inSubset = true
            case UInt8(ascii: "]"):
                inSubset = false
            case UInt8(ascii: ">") where !inSubset:
                return index + 1
            default:
                break
            }
            index += 1
        }
        return nil
    }

    /// The root element whose name starts at `start` decides.
    private static func root(_ bytes: [UInt8], from start: Int, complete: Bool) -> PayloadKind? {
        var end = start
        while end < bytes.count, !isSpace(bytes[end]), bytes[end] != UInt8(ascii: ">"), bytes[end] != UInt8(ascii: "/")
        {
            end += 1
        }
        if end == bytes.count && !complete { return nil }
        let name = String(decoding: bytes[start..<end], as: UTF8.self)
        let local = (name.split(separator: ":").last.map(String.init) ?? "").lowercased()
        switch local {
        case "rss": return .rss
        case "rdf": return .rdf
        case "feed": return .atom
        case "html", "head", "body": return .html
        case _ where sdmxRoots.contains(local): return .sdmxML
        default: break
        }
        // Another root in an SDMX namespace, declared on the root's start tag.
        var tagEnd = end
        var quote: UInt8?
        while tagEnd < bytes.count {
            let byte = bytes[tagEnd]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                break
            }
            tagEnd += 1
        }
        if tagEnd == bytes.count && !complete { return nil }
        return find(Array("http://www.sdmx.org".utf8), in: Array(bytes[end..<tagEnd]), from: 0) != nil
            ? .sdmxML : .unknown
    }

    /// Root elements of SDMX-ML data messages (2.0, 2.1, 3.0), and the error message.
    private static let sdmxRoots: Set<String> = [
        "genericdata", "structurespecificdata", "generictimeseriesdata", "structurespecifictimeseriesdata",
        "compactdata", "utilitydata", "crosssectionaldata", "error",
    ]

    /// Just past the first occurrence of `needle` at or after `start`.
    static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, start >= 0 else { return nil }
        var index = start
        while index + needle.count <= bytes.count {
            if bytes[index] == first, bytes[index..<index + needle.count].elementsEqual(needle) {
                return index + needle.count
            }
            index += 1
        }
        return nil
    }

    static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

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
