import Foundation
import TradeWatchModel

/// A JSON document written to standard output as it is produced, through `OutputBuffer`:
/// for output too large to build as values and encode at the end (`diff --json` across a
/// first load of a million figures). Laid out as the other commands' `--json` (Foundation's
/// pretty-printing): indented two spaces a level, `"key" : value`, an empty array or object
/// as `[` and `]` a blank line apart; keys in the order written.
///
/// Strings are escaped as RFC 8259 requires (`JSONText.quoted`): quote, backslash and every
/// control character below U+0020 (as `\n`, `\t`… or `\u00XX`); all other text, non-BMP
/// included, is written as its UTF-8. A number that is not finite (which JSON cannot hold) is
/// written as null.
struct JSONStreamWriter {
    private enum Container {
        case object
        case array
    }

    private var out = OutputBuffer()
    /// Bytes not yet handed to `out`: appending bytes here costs less than a `String` per token.
    private var pending: [UInt8] = []
    /// The open containers, innermost last, and whether each has a member yet.
    private var open: [(container: Container, hasMember: Bool)] = []
    /// A key was just written: its value follows on the same line.
    private var afterKey = false

    init() {
        pending.reserveCapacity(1 << 16)
    }

    mutating func beginObject() {
        beginValue()
        pending.append(UInt8(ascii: "{"))
        open.append((.object, false))
    }

    mutating func endObject() { end(.object, UInt8(ascii: "}")) }

    mutating func beginArray() {
        beginValue()
        pending.append(UInt8(ascii: "["))
        open.append((.array, false))
    }

    mutating func endArray() { end(.array, UInt8(ascii: "]")) }

    /// The key of the next member of the innermost object.
    mutating func key(_ name: String) {
        assert(open.last?.container == .object && !afterKey, "a key outside an object")
        beginValue()
        appendQuoted(name)
        pending.append(contentsOf: " : ".utf8)
        afterKey = true
    }

    /// A string, or null for nil.
    mutating func string(_ value: String?) {
        beginValue()
        if let value { appendQuoted(value) } else { appendNull() }
    }

    mutating func number(_ value: Int64) {
        beginValue()
        pending.append(contentsOf: String(value).utf8)
    }

    mutating func number(_ value: Double) {
        beginValue()
        if value.isFinite { pending.append(contentsOf: value.description.utf8) } else { appendNull() }
    }

    mutating func null() {
        beginValue()
        appendNull()
    }

    /// `key` and the string `value`, left out when `value` is nil (as `JSONEncoder` leaves
    /// out nil optionals).
    mutating func member(_ key: String, _ value: String?) {
        guard let value else { return }
        self.key(key)
        string(value)
    }

    /// Ends the document with a line break and writes out everything still buffered.
    mutating func finish() {
        assert(open.isEmpty, "a JSON document finished with containers open")
        pending.append(10)
        out.write(Data(pending))
        pending.removeAll(keepingCapacity: true)
        out.flush()
    }

    /// The separator and line break before a value (or a key), unless it follows its key.
    private mutating func beginValue() {
        if afterKey {
            afterKey = false
            return
        }
        guard let innermost = open.last else { return }
        if innermost.hasMember { pending.append(UInt8(ascii: ",")) }
        open[open.count - 1].hasMember = true
        newLine()
        if pending.count >= 1 << 16 {
            out.write(Data(pending))
            pending.removeAll(keepingCapacity: true)
        }
    }

    private mutating func end(_ container: Container, _ byte: UInt8) {
        assert(open.last?.container == container && !afterKey, "unbalanced JSON containers")
        let closed = open.removeLast()
        if !closed.hasMember { pending.append(10) }
        newLine()
        pending.append(byte)
    }

    private mutating func newLine() {
        pending.append(10)
        pending.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * open.count))
    }

    private mutating func appendNull() {
        pending.append(contentsOf: "null".utf8)
    }

    /// Quoted and escaped by `JSONText.quoted`, the one JSON string escaper tradewatch has.
    private mutating func appendQuoted(_ text: String) {
        pending.append(contentsOf: JSONText.quoted(text).utf8)
    }
}
