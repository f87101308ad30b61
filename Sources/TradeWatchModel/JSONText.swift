/// JSON text written by hand where it must be fast and byte-stable (attributes in the cache,
/// NDJSON exports): the same input always gives the same bytes.
public enum JSONText {
    /// `text` as a JSON string literal.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A JSON object of strings with keys in the given order; nil values become null.
    public static func object<S: Sequence>(_ pairs: S) -> String where S.Element == (String, String?) {
        "{" + pairs.map { "\(quoted($0.0)):\($0.1.map(quoted) ?? "null")" }.joined(separator: ",") + "}"
    }

    /// A JSON array of strings.
    public static func array(_ strings: [String]) -> String {
        "[" + strings.map(quoted).joined(separator: ",") + "]"
    }

    /// A JSON object of strings with sorted keys.
    public static func sortedObject(_ dictionary: [String: String]) -> String {
        object(dictionary.keys.sorted().map { ($0, dictionary[$0]) })
    }
}
