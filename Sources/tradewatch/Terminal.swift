import Foundation
import TradeWatchModel

/// Writing to the terminal: one line per error on stderr, JSON documents on stdout.
///
/// `print` writes its line as given: a command escapes every publisher string it puts in a line
/// with ``TerminalText`` (a ``Table`` escapes its cells itself), so that the line may still hold
/// the colours the command adds.
enum Terminal {
    /// One line on stderr; the message is escaped, as it may quote a publisher or an argument.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("tradewatch: \(TerminalText.line(message))\n".utf8))
    }

    static func print(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// The CLI's JSON: sorted keys, dates as RFC 3339 UTC; pretty for documents, one line for NDJSON.
    static func jsonEncoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }

    /// `value` as one pretty JSON document with sorted keys.
    static func printJSON<T: Encodable>(_ value: T) throws {
        var data = try jsonEncoder(pretty: true).encode(value)
        data.append(10)
        FileHandle.standardOutput.write(data)
    }

    /// Colour only on a terminal, and never with NO_COLOR set.
    /// The terminal's width in columns: `COLUMNS` when set, else the window size of standard
    /// output; nil when it is not a terminal. Read once (a table asks for every block).
    static let width: Int? = {
        if let columns = getenv("COLUMNS").flatMap({ Int(String(cString: $0)) }), columns > 0 {
            return columns
        }
        var size = winsize()
        guard isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else {
            return nil
        }
        return Int(size.ws_col)
    }()

    static var useColour: Bool {
        ProcessInfo.processInfo.environment["NO_COLOR"] == nil && isatty(STDOUT_FILENO) == 1
    }

    static func green(_ text: String) -> String { useColour ? "\u{1b}[32m\(text)\u{1b}[0m" : text }
    static func red(_ text: String) -> String { useColour ? "\u{1b}[31m\(text)\u{1b}[0m" : text }
}
