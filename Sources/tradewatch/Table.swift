import Foundation
import TradeWatchModel

/// Aligned text columns for the terminal: left-aligned text, right-aligned numbers. Every cell
/// is shown on one line with its control and bidi characters escaped (``TerminalText``), and the
/// columns are as wide as the escaped text.
struct Table {
    enum Alignment {
        case left
        case right
    }

    var headers: [String]
    var alignments: [Alignment]
    var rows: [[String]] = []

    init(_ columns: [(String, Alignment)]) {
        headers = columns.map(\.0)
        alignments = columns.map(\.1)
    }

    /// Adds a row; its cells are escaped here (escaping an escaped cell again changes nothing).
    mutating func add(_ row: [String]) { rows.append(row.map(TerminalText.line)) }

    /// The table as lines of UTF-8, built in one buffer (`status` renders a row per source).
    func render() -> String {
        let lines = [headers.map(TerminalText.line)] + rows
        let lengths = lines.map { $0.map(Self.displayWidth) }
        var widths = Array(repeating: 0, count: headers.count)
        for row in lengths {
            for (index, length) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], length)
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(lines.count * (widths.reduce(0, +) + 2 * widths.count + 1))
        for (number, cells) in lines.enumerated() {
            if number > 0 { out.append(10) }
            let start = out.count
            for (index, cell) in cells.enumerated() where index < widths.count {
                if index > 0 { out.append(contentsOf: [32, 32]) }
                let padding = max(0, widths[index] - lengths[number][index])
                if alignments[index] == .right { out.append(contentsOf: repeatElement(32, count: padding)) }
                out.append(contentsOf: cell.utf8)
                if alignments[index] == .left { out.append(contentsOf: repeatElement(32, count: padding)) }
            }
            while out.count > start && out.last == 32 { out.removeLast() }  // no trailing padding
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Characters as the terminal counts them; ASCII (nearly every cell) without a grapheme walk.
    static func displayWidth(_ text: String) -> Int {
        text.utf8.allSatisfy { $0 < 0x80 } ? text.utf8.count : text.count
    }
}

/// How numbers and times read in tables.
enum Human {
    static func count(_ value: Int) -> String {
        let digits = Array(String(value.magnitude).utf8)
        var out: [UInt8] = value < 0 ? [UInt8(ascii: "-")] : []
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(UInt8(ascii: ",")) }
            out.append(digit)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `3m ago`, `2h ago`, `5d ago`, `in 4m`.
    static func relative(_ date: Date, now: Date = Date()) -> String {
        let seconds = Int(now.timeIntervalSince(date))
        let magnitude = abs(seconds)
        let text: String
        switch magnitude {
        case ..<60: text = "\(magnitude)s"
        case ..<3600: text = "\(magnitude / 60)m"
        case ..<86_400: text = "\(magnitude / 3600)h"
        default: text = "\(magnitude / 86_400)d"
        }
        return seconds >= 0 ? "\(text) ago" : "in \(text)"
    }
}
