/// Text a publisher sent, made safe to show on a terminal or in a log line: every character
/// that could move the cursor, change the terminal's state, start a new line or reorder what
/// is shown is replaced by a visible escape made of printable ASCII.
///
/// Escaped, in every mode:
/// - C0 controls U+0000–U+001F: `\t`, `\n` and `\r` for tab, line feed and carriage return,
///   `\xHH` for the others (ESC is `\x1b`, BEL `\x07`, BS `\x08`);
/// - DEL U+007F as `\x7f`, and the C1 controls U+0080–U+009F as `\x80`…`\x9f` (the code point,
///   whatever bytes encoded it);
/// - the bidi controls U+061C, U+200E, U+200F, U+202A–U+202E and U+2066–U+2069, and the line and
///   paragraph separators U+2028 and U+2029, as `\uHHHH` (U+202E is `\u202e`).
///
/// ``block(_:indent:)`` keeps tab and line feed for fields that are shown on lines of their own.
/// The backslash is not escaped: ordinary text (`C:\Data`) reads as it was sent, and escaping
/// twice changes nothing. A publisher's literal `\x1b` therefore prints the same as an escaped
/// ESC; `--json`, CSV and NDJSON keep the exact text. Strings are valid Unicode by construction
/// (undecodable bytes were replaced by U+FFFD when decoded), so no raw invalid UTF-8 remains.
public enum TerminalText {
    /// `text` on one line: tab and line feed are escaped too.
    public static func line(_ text: String) -> String {
        guard mayNeedEscape(text) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { append(scalar, to: &out, keepLines: false) }
        return String(out)
    }

    /// `text` on one line, at most `limit` characters: when longer, as many whole characters as
    /// fit before a closing `…`. The limit counts the escaped text, and an escape is never cut.
    public static func line(_ text: String, limit: Int) -> String {
        guard limit > 0 else { return "" }
        var pieces: [String] = []
        var count = 0
        for character in text {
            let piece = line(String(character))
            pieces.append(piece)
            count += piece.count
            if count > limit { break }
        }
        guard count > limit else { return pieces.joined() }
        // Drop whole pieces until the rest and the ellipsis fit.
        while count + 1 > limit, let last = pieces.popLast() { count -= last.count }
        return pieces.joined() + "…"
    }

    /// A field shown on lines of its own (an article's summary in `diff --full`): tab and line
    /// feed are kept, and every line after the first starts with `indent`, so that no line of
    /// the field can pass for a line of the output around it.
    public static func block(_ text: String, indent: String = "") -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            append(scalar, to: &out, keepLines: true)
            if scalar == "\n" { out.append(contentsOf: indent.unicodeScalars) }
        }
        return String(out)
    }

    /// Whether `scalar` is shown as an escape (in one-line mode).
    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029: true
        default: false
        }
    }

    /// False when no scalar of `text` needs an escape, decided on the UTF-8 bytes (a table has
    /// a cell per column and row): a C0 byte or DEL, or the lead byte of a C1 control
    /// (`C2`), of U+061C (`D8`) or of U+200E…U+2069 (`E2`), sends it to the scalar check.
    private static func mayNeedEscape(_ text: String) -> Bool {
        var suspect = false
        for byte in text.utf8 {
            switch byte {
            case 0x00...0x1F, 0x7F: return true
            case 0xC2, 0xD8, 0xE2: suspect = true
            default: continue
            }
        }
        return suspect && text.unicodeScalars.contains(where: needsEscape)
    }

    private static func append(_ scalar: Unicode.Scalar, to out: inout String.UnicodeScalarView, keepLines: Bool) {
        guard needsEscape(scalar) else {
            out.append(scalar)
            return
        }
        let escape: String
        switch scalar {
        case "\t": escape = keepLines ? "\t" : "\\t"
        case "\n": escape = keepLines ? "\n" : "\\n"
        case "\r": escape = "\\r"
        case _ where scalar.value <= 0xFF: escape = "\\x" + hex(scalar.value, digits: 2)
        default: escape = "\\u" + hex(scalar.value, digits: 4)
        }
        out.append(contentsOf: escape.unicodeScalars)
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
