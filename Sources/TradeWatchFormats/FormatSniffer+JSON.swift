/// The keys of a JSON document's top-level object (or of the first object of a top-level
/// array), read in document order; each value is stepped over whole, not parsed, so a large
/// value ahead of the key that tells (ECB's `structure` before `dataSets`) costs one scan.
struct JSONTopLevel {
    let bytes: [UInt8]
    var index: Int
    /// Each key seen, with the first byte of its value (`{`, `[`, `"`, `n`, a digit...).
    private(set) var keys: [String: UInt8] = [:]
    private var version: String?
    /// `meta` or `header` mention SDMX (its schema URL, for instance).
    private var mentionsSDMX = false

    init(bytes: [UInt8], index: Int) {
        self.bytes = bytes
        self.index = index
    }

    mutating func kind(complete: Bool) -> PayloadKind? {
        skipSpace()
        if peek == UInt8(ascii: "[") {
            index += 1
            skipSpace()
            guard index < bytes.count else { return complete ? .unknown : nil }
            guard peek == UInt8(ascii: "{") else { return .unknown }
        }
        guard peek == UInt8(ascii: "{") else { return .unknown }
        index += 1
        var finished = false
        while true {
            if let decided = decisive() { return decided }
            skipSpace()
            guard index < bytes.count else { break }
            if peek == UInt8(ascii: "}") {
                finished = true
                break
            }
            if peek == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard peek == UInt8(ascii: "\""), let key = string(limit: 64) else { break }
            skipSpace()
            guard peek == UInt8(ascii: ":") else { break }
            index += 1
            skipSpace()
            guard let first = peek else { break }
            keys[key] = first
            if let decided = decisive() { return decided }
            let valueStart = index
            if key == "version", first == UInt8(ascii: "\"") {
                version = string(limit: 200)
                if version == nil { break }
            } else if !skipValue() {
                break
            }
            if key == "meta" || key == "header",
                FormatSniffer.find(Array("sdmx".utf8), in: bytes[valueStart..<index].map(FormatSniffer.lower), from: 0)
                    != nil
            {
                mentionsSDMX = true
            }
        }
        if !finished && !complete { return nil }
        return settled()
    }

    /// What some keys tell whatever follows them.
    private func decisive() -> PayloadKind? {
        if let version, version.contains("jsonfeed.org/version") { return .jsonFeed }
        if keys["version"] != nil && keys["items"] == UInt8(ascii: "[") { return .jsonFeed }
        if keys["dataSets"] != nil { return .sdmxJSON }
        if keys["data"] == UInt8(ascii: "{") { return .sdmxJSON }  // SDMX-JSON 2.0: data holds dataSets
        if keys["structure"] != nil && (keys["header"] != nil || keys["meta"] != nil) { return .sdmxJSON }
        return nil
    }

    /// What the keys tell once all are known (or all there are of a cut document).
    private func settled() -> PayloadKind {
        if mentionsSDMX { return .sdmxJSON }
        if let data = keys["data"], data == UInt8(ascii: "[") || data == UInt8(ascii: "n"),
            keys["count"] != nil || keys["elapsedTime"] != nil || keys["error"] != nil
        {
            return .comtradeJSON
        }
        return .unknown
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipSpace() {
        while index < bytes.count, FormatSniffer.isSpace(bytes[index]) { index += 1 }
    }

    /// A string starting at `index` (its opening quote), with escapes kept as written; nil
    /// when the bytes end first. Only the first `limit` bytes are kept.
    private mutating func string(limit: Int) -> String? {
        index += 1
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            if out.count < limit { out.append(byte) }
            if byte == UInt8(ascii: "\\"), index < bytes.count {
                if out.count < limit { out.append(bytes[index]) }
                index += 1
            }
        }
        return nil
    }

    /// Steps over one value; false when the bytes end inside it.
    private mutating func skipValue() -> Bool {
        guard let first = peek else { return false }
        switch first {
        case UInt8(ascii: "\""):
            return string(limit: 0) != nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    guard string(limit: 0) != nil else { return false }
                    continue
                }
                index += 1
                if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    depth += 1
                } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { return true }
                }
            }
            return false
        default:
            while index < bytes.count,
                ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]")].contains(bytes[index])
            {
                index += 1
            }
            return index < bytes.count
        }
    }
}
