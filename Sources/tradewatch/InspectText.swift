/// Publisher text made safe for a terminal: control characters and bidirectional overrides
/// become visible escapes (`\u{1B}`), so a file cannot move the cursor, recolour the screen or
/// reorder what `inspect` prints. Every publisher string in `inspect`'s table goes through here.
enum InspectText {
    static func terminal(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if needsEscape(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F: true
        // Arabic letter mark, LRM/RLM, embeddings and overrides, isolates.
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
