/// Finds the one malformed input TOMLKit 0.6.0 cannot survive: a table header whose name does
/// not start with a bare-key character or a quote (`[#x]`, `[.a]`, a lone `[`). toml++ asserts
/// on it and aborts the process, so the loader reports it itself before toml++ sees the text.
/// Found by `scripts/fuzz`.
enum TOMLHeaderCheck {
    /// The line and column of the first such header, if any.
    static func firstBadHeader(in text: String) -> (line: Int, column: Int)? {
        let bytes = Array(text.utf8)
        var index = 0
        var line = 1
        var lineStart = 0
        var arrayDepth = 0
        var atLineStart = true

        func isBareKey(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default: false
            }
        }
        func skipTo(_ terminator: [UInt8]) {
            while index < bytes.count {
                if bytes[index...].starts(with: terminator) {
                    index += terminator.count
                    return
                }
                if bytes[index] == UInt8(ascii: "\\") && terminator.first == UInt8(ascii: "\"") { index += 1 }
                if index < bytes.count && bytes[index] == UInt8(ascii: "\n") {
                    line += 1
                    lineStart = index + 1
                    // A one-line string never spans lines: stop at its end.
                    if terminator.count == 1 { return }
                }
                index += 1
            }
        }

        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") {
                line += 1
                index += 1
                lineStart = index
                atLineStart = true
                continue
            }
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
                index += 1
                continue
            }
            if byte == UInt8(ascii: "#") {
                while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
                continue
            }
            if atLineStart && arrayDepth == 0 && byte == UInt8(ascii: "[") {
                index += 1
                if index < bytes.count && bytes[index] == UInt8(ascii: "[") { index += 1 }
                while index < bytes.count && (bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t")) {
                    index += 1
                }
                let next = index < bytes.count ? bytes[index] : UInt8(ascii: "\n")
                guard
                    isBareKey(next) || next == UInt8(ascii: "\"") || next == UInt8(ascii: "'")
                        || next == UInt8(ascii: "]")
                else { return (line, index - lineStart + 1) }
                // The rest of a header line holds no values.
                while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
                continue
            }
            atLineStart = false
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                if bytes[index...].starts(with: [UInt8(ascii: "\""), UInt8(ascii: "\"")]) {
                    index += 2
                    skipTo(Array("\"\"\"".utf8))
                } else {
                    skipTo([UInt8(ascii: "\"")])
                }
            case UInt8(ascii: "'"):
                if bytes[index...].starts(with: [UInt8(ascii: "'"), UInt8(ascii: "'")]) {
                    index += 2
                    skipTo(Array("'''".utf8))
                } else {
                    skipTo([UInt8(ascii: "'")])
                }
            case UInt8(ascii: "["): arrayDepth += 1
            case UInt8(ascii: "]"): arrayDepth = max(0, arrayDepth - 1)
            default: break
            }
        }
        return nil
    }
}
