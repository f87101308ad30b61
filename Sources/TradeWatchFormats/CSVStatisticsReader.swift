public import Foundation
import TradeWatchModel

#if canImport(Glibc)
import Glibc
#endif

/// How a statistics office's CSV maps onto observations.
public struct CSVMapping: Sendable, Equatable {
    public var dataset: String
    public var delimiter: UInt8 = UInt8(ascii: ",")
    public var header: Bool = true
    public var skipLines: Int = 0
    /// (column name, dimension id) in key order.
    public var dimensions: [(column: String, id: String)] = []
    public var period: String = "PERIOD"
    public var value: String = "VALUE"
    public var flags: String?
    public var unit: String?
    public var attributes: [(column: String, id: String)] = []
    /// Columns that name a dimension's code (`CMD` ← `HS description`), each with the
    /// dimension id: their text becomes the code's label, not an attribute.
    public var labels: [(id: String, column: String)] = []
    public var decimalSeparator: UInt8 = UInt8(ascii: ".")
    public var thousandsSeparator: UInt8?
    public var encoding: String = "utf-8"

    public init(dataset: String) { self.dataset = dataset }

    public static func == (lhs: CSVMapping, rhs: CSVMapping) -> Bool {
        lhs.dataset == rhs.dataset && lhs.delimiter == rhs.delimiter && lhs.header == rhs.header
            && lhs.skipLines == rhs.skipLines && lhs.dimensions.map(\.column) == rhs.dimensions.map(\.column)
            && lhs.dimensions.map(\.id) == rhs.dimensions.map(\.id) && lhs.period == rhs.period
            && lhs.value == rhs.value && lhs.flags == rhs.flags && lhs.unit == rhs.unit
            && lhs.attributes.map(\.column) == rhs.attributes.map(\.column)
            && lhs.attributes.map(\.id) == rhs.attributes.map(\.id)
            && lhs.labels.map(\.id) == rhs.labels.map(\.id) && lhs.labels.map(\.column) == rhs.labels.map(\.column)
            && lhs.decimalSeparator == rhs.decimalSeparator && lhs.thousandsSeparator == rhs.thousandsSeparator
            && lhs.encoding == rhs.encoding
    }
}

/// Reads CSV (RFC 4180: quoted fields, doubled quotes, CRLF or LF, any one-byte delimiter)
/// through a `CSVMapping`. Values are normalised to decimal text with a point; the usual
/// markers of a missing value (`..`, `:`, `-`, `x`, `NA`…) become missing, never 0; anything
/// else that is not a number is an error naming the row and column.
///
/// Label columns (`CSVMapping.labels`) send each row's name of its code to `output.label`
/// (language unknown: empty), once per code and name: a later row that names the same code
/// differently sends the new name, which counts.
public enum CSVStatisticsReader {
    static let missingMarkers: Set<String> = [
        "", ":", "..", "...", "-", "–", "—", "x", "X", "NA", "N/A", "n/a", "n.a.", "NaN", "c", "C", "*",
    ]

    public static func read(
        _ data: Data, mapping: CSVMapping, into output: StatisticsOutput
    ) throws
        -> StatisticsSummary
    {
        let repeated = RepeatedKeys()
        var summary = try read(data, mapping: mapping, noted: output.noting(repeated))
        summary.append(repeated)
        return summary
    }

    private static func read(
        _ data: Data, mapping: CSVMapping, noted output: StatisticsOutput
    ) throws
        -> StatisticsSummary
    {
        let utf8 = try decode(data, encoding: mapping.encoding)
        var rows = CSVRows(utf8, delimiter: mapping.delimiter)
        for _ in 0..<mapping.skipLines { _ = rows.next() }
        var columns: [String: Int] = [:]
        if mapping.header {
            guard let header = rows.next() else { throw StatisticsError(.malformed, "the file is empty") }
            for (index, name) in header.enumerated() {
                let trimmed = name.trimmingCharacters(in: .whitespaces)
                if columns[trimmed] == nil { columns[trimmed] = index }
            }
        }
        func column(_ name: String) throws -> Int {
            if let index = columns[name] { return index }
            if !mapping.header, let index = Int(name), index >= 1 { return index - 1 }
            throw StatisticsError(
                .malformed,
                "has no column \"\(name)\"; the header has \(columns.keys.sorted().map { "\"\($0)\"" }.joined(separator: ", "))",
                place: "line \(mapping.skipLines + 1)")
        }
        let dimensionColumns = try mapping.dimensions.map { (try column($0.column), $0.id) }
        let periodColumn = try column(mapping.period)
        let valueColumn = try column(mapping.value)
        let flagsColumn = try mapping.flags.map(column)
        let unitColumn = try mapping.unit.map(column)
        let labelled = Set(mapping.labels.map(\.column))
        let attributeColumns = try mapping.attributes.filter { !labelled.contains($0.column) }.map {
            (try column($0.column), $0.id)
        }
        let labelColumns = try mapping.labels.map { label in
            guard let dimension = dimensionColumns.firstIndex(where: { $0.1 == label.id }) else {
                throw StatisticsError(
                    .malformed, "the label column \"\(label.column)\" names \(label.id), which is not a dimension")
            }
            return (index: try column(label.column), id: label.id, dimension: dimension)
        }
        var named: [String: String] = [:]

        var summary = StatisticsSummary()
        var line = mapping.skipLines + (mapping.header ? 1 : 0)
        while let row = rows.next() {
            line += 1
            if row.count == 1 && row[0].isEmpty { continue }
            func field(_ index: Int, _ name: String) throws -> String {
                guard index < row.count else {
                    throw StatisticsError(
                        .malformed, "has \(row.count) fields, no column \(name)", place: "line \(line)")
                }
                return row[index].trimmingCharacters(in: .whitespaces)
            }
            let dimensions = try dimensionColumns.map { index, id in
                SeriesKey.Dimension(id: id, value: try field(index, id))
            }
            let period = try field(periodColumn, mapping.period)
            guard !period.isEmpty else {
                throw StatisticsError(.invalidValue, "the period is empty", place: "line \(line)")
            }
            let raw = try field(valueColumn, mapping.value)
            let value = try normalise(raw, mapping: mapping, place: "line \(line), column \(mapping.value)")
            var attributes: [String: String] = [:]
            for (index, id) in attributeColumns {
                let text = try field(index, id)
                if !text.isEmpty { attributes[id] = text }
            }
            for (index, id, dimension) in labelColumns {
                let name = try field(index, id)
                let code = dimensions[dimension].value
                let identity = id + "\u{0}" + code
                guard !name.isEmpty, named[identity] != name else { continue }
                named[identity] = name
                try output.label(mapping.dataset, CodeLabel(component: id, code: code, name: name))
            }
            let flags = try flagsColumn.map { try field($0, mapping.flags ?? "") }
            let unit = try unitColumn.map { try field($0, mapping.unit ?? "") }
            try output.add(
                Observation(
                    dataset: mapping.dataset, series: SeriesKey(dimensions), period: Period(period), value: value,
                    unit: unit?.isEmpty == false ? unit : nil, status: flags?.isEmpty == false ? flags : nil,
                    attributes: attributes))
            summary.observations += 1
        }
        if rows.unterminatedQuote {
            throw StatisticsError(.malformed, "a quoted field is never closed", place: "line \(line)")
        }
        return summary
    }

    /// `1.234,5` (thousands `.`, decimal `,`) → `1234.5`; missing markers → nil.
    static func normalise(_ raw: String, mapping: CSVMapping, place: String) throws -> String? {
        if missingMarkers.contains(raw) { return nil }
        var bytes: [UInt8] = []
        for byte in raw.utf8 {
            if let thousands = mapping.thousandsSeparator, byte == thousands { continue }
            bytes.append(byte == mapping.decimalSeparator ? UInt8(ascii: ".") : byte)
        }
        guard isDecimal(bytes) else {
            throw StatisticsError(.invalidValue, "\"\(raw)\" is not a number nor a missing-value marker", place: place)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `-12`, `3.5`, `.5`, `1e6`, `2.5E-3`: a plain decimal, optionally with an exponent.
    static func isDecimal(_ bytes: [UInt8]) -> Bool {
        var index = 0
        func digits() -> Int {
            let start = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                index += 1
            }
            return index - start
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
        var count = digits()
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            count += digits()
        }
        guard count > 0 else { return false }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                index += 1
            }
            guard digits() > 0 else { return false }
        }
        return index == bytes.count
    }

    /// The bytes as UTF-8 text, converted with iconv when the file is in another encoding.
    static func decode(_ data: Data, encoding: String) throws -> [UInt8] {
        let name = encoding.lowercased()
        if name == "utf-8" || name == "utf8" {
            var bytes = [UInt8](data)
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
            return Array(String(decoding: bytes, as: UTF8.self).utf8)
        }
        let converter = iconv_open("UTF-8", encoding)
        guard converter != iconv_t(bitPattern: -1) else {
            throw StatisticsError(.malformed, "unknown encoding \"\(encoding)\"")
        }
        defer { iconv_close(converter) }
        var input = [UInt8](data)
        var output = [UInt8](repeating: 0, count: input.count * 4 + 16)
        var produced = 0
        input.withUnsafeMutableBytes { inBuffer in
            output.withUnsafeMutableBytes { outBuffer in
                var inPointer = inBuffer.baseAddress?.assumingMemoryBound(to: CChar.self)
                var inLeft = inBuffer.count
                var outPointer = outBuffer.baseAddress?.assumingMemoryBound(to: CChar.self)
                var outLeft = outBuffer.count
                while inLeft > 0 {
                    if iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft) == -1 {
                        guard errno == EILSEQ || errno == EINVAL, outLeft >= 3 else { break }
                        // An invalid byte becomes U+FFFD and reading goes on.
                        for byte: UInt8 in [0xEF, 0xBF, 0xBD] {
                            outPointer?.pointee = CChar(bitPattern: byte)
                            outPointer = outPointer?.advanced(by: 1)
                        }
                        outLeft -= 3
                        inPointer = inPointer?.advanced(by: 1)
                        inLeft -= 1
                    }
                }
                produced = outBuffer.count - outLeft
            }
        }
        return Array(output[..<produced])
    }
}

/// RFC 4180 records over UTF-8 bytes.
struct CSVRows: IteratorProtocol {
    private let bytes: [UInt8]
    private let delimiter: UInt8
    private var position = 0
    private(set) var unterminatedQuote = false

    init(_ bytes: [UInt8], delimiter: UInt8) {
        self.bytes = bytes
        self.delimiter = delimiter
    }

    mutating func next() -> [String]? {
        guard position < bytes.count else { return nil }
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if position < bytes.count && bytes[position] == UInt8(ascii: "\"") {
                        field.append(byte)
                        position += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(byte)
                }
            } else if byte == UInt8(ascii: "\"") && field.isEmpty {
                quoted = true
            } else if byte == delimiter {
                fields.append(String(decoding: field, as: UTF8.self))
                field = []
            } else if byte == UInt8(ascii: "\n") {
                break
            } else if byte == UInt8(ascii: "\r") {
                if position < bytes.count && bytes[position] == UInt8(ascii: "\n") { position += 1 }
                break
            } else {
                field.append(byte)
            }
        }
        if quoted { unterminatedQuote = true }
        fields.append(String(decoding: field, as: UTF8.self))
        return fields
    }
}
