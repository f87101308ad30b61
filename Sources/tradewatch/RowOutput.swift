import ArgumentParser
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
        switch format {
        case .csv:
            Terminal.print(CSVWriter.line(header))
            for row in rows { Terminal.print(CSVWriter.line(fields(row))) }
        case .ndjson:
            for row in rows { Terminal.print(JSONText.object(zip(header, fields(row)))) }
        }
    }
}
