import ArgumentParser
import Foundation
import TradeWatchExport
import TradeWatchModel

/// Row formats for commands whose output is rows.
enum RowFormat: String, ExpressibleByArgument, CaseIterable {
    case csv
    case ndjson
}

enum RowOutput {
    /// Prints `rows` as CSV with a header line, or as one JSON object per line keyed by the header.
    static func print<Rows: Sequence>(
        _ rows: Rows, format: RowFormat, header: [String], fields: (Rows.Element) -> [String?]
    ) throws {
        var writer = RowWriter(format: format, header: header)
        for row in rows { writer.write(fields(row)) }
        writer.finish()
    }
}

/// Rows written to standard output as they come, as CSV with a header line or as one JSON
/// object per line keyed by the header.
struct RowWriter {
    private let format: RowFormat
    private let header: [String]
    private var out = OutputBuffer()

    init(format: RowFormat, header: [String]) {
        self.format = format
        self.header = header
        if format == .csv { emit(RowFileWriter.csvLine(header)) }
    }

    mutating func write(_ fields: [String?]) {
        switch format {
        case .csv: emit(RowFileWriter.csvLine(fields))
        case .ndjson: emit(JSONText.object(zip(header, fields)))
        }
    }

    /// Writes what is still buffered.
    mutating func finish() { out.flush() }

    private mutating func emit(_ line: String) {
        out.write(line)
        out.write("\n")
    }
}

/// Standard output, buffered: one write per megabyte rather than one per row (a diff can be
/// many thousands of rows).
struct OutputBuffer {
    private var data = Data()

    mutating func write(_ text: String) {
        data.append(contentsOf: text.utf8)
        if data.count >= 1 << 20 { flush() }
    }

    mutating func write(_ bytes: Data) {
        data.append(bytes)
        if data.count >= 1 << 20 { flush() }
    }

    mutating func flush() {
        if !data.isEmpty { FileHandle.standardOutput.write(data) }
        data.removeAll(keepingCapacity: true)
    }
}
