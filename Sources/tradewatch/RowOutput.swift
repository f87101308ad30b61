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
    static func print<Row>(_ rows: [Row], format: RowFormat, header: [String], fields: (Row) -> [String?]) throws {
        // Buffered: one write per megabyte rather than one per row (a diff can be many thousands).
        var out = Data()
        func emit(_ line: String) {
            out.append(contentsOf: line.utf8)
            out.append(10)
            if out.count >= 1 << 20 {
                FileHandle.standardOutput.write(out)
                out.removeAll(keepingCapacity: true)
            }
        }
        switch format {
        case .csv:
            emit(CSVWriter.line(header))
            for row in rows { emit(CSVWriter.line(fields(row))) }
        case .ndjson:
            for row in rows { emit(JSONText.object(zip(header, fields(row)))) }
        }
        if !out.isEmpty { FileHandle.standardOutput.write(out) }
    }
}
