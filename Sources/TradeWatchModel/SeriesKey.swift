import Foundation

/// The identity of a statistical series: its dimension values in the order the publisher
/// gives them. The canonical text form joins `ID=value` pairs with dots, e.g.
/// `FREQ=M.REPORTER=156.PARTNER=408.FLOW=M.CMD=6704`; `%`, `.` and `=` inside an id or
/// value are percent-encoded so that the form can always be read back.
public struct SeriesKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public struct Dimension: Hashable, Sendable {
        public var id: String
        public var value: String

        public init(id: String, value: String) {
            self.id = id
            self.value = value
        }
    }

    public let dimensions: [Dimension]
    public let canonical: String

    public init(_ dimensions: [Dimension]) {
        self.dimensions = dimensions
        self.canonical = dimensions.map { Self.escape($0.id) + "=" + Self.escape($0.value) }.joined(separator: ".")
    }

    public init(_ pairs: KeyValuePairs<String, String>) {
        self.init(pairs.map { Dimension(id: $0.key, value: $0.value) })
    }

    /// Reads a canonical form back. Returns nil when a part has no `=`.
    public init?(canonical text: String) {
        if text.isEmpty {
            self.init([Dimension]())
            return
        }
        var dimensions: [Dimension] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pieces.count == 2, !pieces[0].isEmpty else { return nil }
            dimensions.append(Dimension(id: Self.unescape(pieces[0]), value: Self.unescape(pieces[1])))
        }
        self.init(dimensions)
    }

    public subscript(dimension: String) -> String? {
        dimensions.first { $0.id == dimension }?.value
    }

    public var description: String { canonical }

    public static func < (lhs: SeriesKey, rhs: SeriesKey) -> Bool { lhs.canonical < rhs.canonical }

    public static func == (lhs: SeriesKey, rhs: SeriesKey) -> Bool { lhs.canonical == rhs.canonical }

    public func hash(into hasher: inout Hasher) { hasher.combine(canonical) }

    private static func escape(_ text: String) -> String {
        guard
            text.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "=") })
        else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "%": out += "%25"
            case ".": out += "%2E"
            case "=": out += "%3D"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func unescape(_ text: Substring) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return String(text) }
        return text.replacingOccurrences(of: "%2E", with: ".").replacingOccurrences(of: "%3D", with: "=")
            .replacingOccurrences(of: "%25", with: "%")
    }
}
