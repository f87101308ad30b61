/// Replaces known secrets in text or in a stream of bytes, in every form a server may echo
/// them back in: as they are; percent-encoded, wholly or in part, with upper- or lower-case
/// hex digits, and with `+` for a space (form encoding); and base64-encoded (standard and
/// URL-safe alphabets, with or without padding, and inside a longer base64 text at any byte
/// alignment).
///
/// Bytes are handed over in chunks of any size: a secret split across two chunks is still
/// found, because the last few bytes of a chunk wait for the next one (`redact` returns what
/// is settled, `finish` the rest).
public struct SecretRedactor: Sendable {
    /// Secrets shorter than this are not searched for: they would match ordinary text.
    public static let minimumLength = 4

    /// The secrets' bytes, each matched byte by byte as itself or as `%XX` (and a space as `+`).
    private let secrets: [[UInt8]]
    /// Base64 forms, matched exactly, longest first.
    private let literals: [[UInt8]]
    /// Bytes a match can start with.
    private let starts: [Bool]
    /// The longest a match can be, in bytes.
    private let window: Int
    private let mask: [UInt8]
    private var carry: [UInt8] = []
    /// How many occurrences were replaced so far.
    public private(set) var replacements = 0

    public init(secrets: [String], mask: String = Redaction.mask) {
        var raw: [[UInt8]] = []
        for secret in secrets where secret.utf8.count >= Self.minimumLength {
            let bytes = Array(secret.utf8)
            if !raw.contains(bytes) { raw.append(bytes) }
        }
        var literals: Set<[UInt8]> = []
        for bytes in raw {
            for form in Self.base64Forms(bytes) where form.count >= Self.minimumLength && form != bytes {
                literals.insert(form)
            }
        }
        self.secrets = raw.sorted { $0.count > $1.count }
        self.literals = literals.sorted {
            $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1)
        }
        var starts = [Bool](repeating: false, count: 256)
        for bytes in raw {
            starts[Int(bytes[0])] = true
            starts[Int(UInt8(ascii: "%"))] = true
            if bytes[0] == UInt8(ascii: " ") { starts[Int(UInt8(ascii: "+"))] = true }
        }
        for literal in self.literals { starts[Int(literal[0])] = true }
        self.starts = starts
        self.window = max(raw.map { $0.count * 3 }.max() ?? 0, self.literals.map(\.count).max() ?? 0)
        self.mask = Array(mask.utf8)
    }

    /// True when there is nothing to look for.
    public var isEmpty: Bool { secrets.isEmpty }

    /// The next chunk, with every secret found so far replaced. A few trailing bytes may be
    /// held back until the next call or `finish()`.
    public mutating func redact(_ chunk: some Sequence<UInt8>) -> [UInt8] {
        if isEmpty { return Array(chunk) }
        carry.append(contentsOf: chunk)
        return process(final: false)
    }

    /// Whatever was held back, redacted.
    public mutating func finish() -> [UInt8] {
        if isEmpty { return [] }
        return process(final: true)
    }

    /// `text` with every form of every secret replaced by the mask.
    public static func redact(_ text: String, secrets: [String]) -> String {
        var redactor = SecretRedactor(secrets: secrets)
        guard !redactor.isEmpty else { return text }
        var out = redactor.redact(text.utf8)
        out += redactor.finish()
        return redactor.replacements == 0 ? text : String(decoding: out, as: UTF8.self)
    }

    private mutating func process(final: Bool) -> [UInt8] {
        let buffer = carry
        let count = buffer.count
        // A match starting at or after `limit` might continue in the next chunk.
        let limit = final ? count : count - (window - 1)
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var index = 0
        while index < limit {
            let byte = buffer[index]
            if starts[Int(byte)], let length = match(buffer, at: index) {
                out += mask
                replacements += 1
                index += length
            } else {
                out.append(byte)
                index += 1
            }
        }
        carry = index < count ? Array(buffer[index...]) : []
        return out
    }

    private func match(_ buffer: [UInt8], at start: Int) -> Int? {
        for secret in secrets {
            if let length = Self.encodedMatch(secret, in: buffer, at: start) { return length }
        }
        for literal in literals where buffer.count - start >= literal.count {
            if buffer[start..<(start + literal.count)].elementsEqual(literal) { return literal.count }
        }
        return nil
    }

    /// The length of `secret` at `start`, each of its bytes written as itself or `%XX`.
    private static func encodedMatch(_ secret: [UInt8], in buffer: [UInt8], at start: Int) -> Int? {
        var index = start
        for expected in secret {
            guard index < buffer.count else { return nil }
            let byte = buffer[index]
            if byte == expected {
                index += 1
            } else if byte == UInt8(ascii: "%"), index + 2 < buffer.count,
                let high = hexValue(buffer[index + 1]), let low = hexValue(buffer[index + 2]),
                high << 4 | low == expected
            {
                index += 3
            } else if expected == UInt8(ascii: " ") && byte == UInt8(ascii: "+") {
                index += 1
            } else {
                return nil
            }
        }
        return index - start
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The secret base64-encoded alone (padded and not) and the characters that encode it
    /// whatever precedes it in a longer text, in both alphabets.
    static func base64Forms(_ bytes: [UInt8]) -> [[UInt8]] {
        var forms: [[UInt8]] = []
        for offset in 0..<3 {
            let encoded = base64(Array(repeating: 0, count: offset) + bytes)
            // Characters whose six bits all come from the secret.
            let first = (8 * offset + 5) / 6
            let end = 8 * (offset + bytes.count) / 6
            if end > first { forms.append(Array(encoded[first..<end])) }
            if offset == 0 {
                forms.append(encoded)
                forms.append(encoded.filter { $0 != UInt8(ascii: "=") })
            }
        }
        let urlSafe = forms.map { form in
            form.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: "-") : $0 == UInt8(ascii: "/") ? UInt8(ascii: "_") : $0 }
        }
        return forms + urlSafe
    }

    static func base64(_ bytes: [UInt8]) -> [UInt8] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let b0 = UInt32(bytes[index])
            let b1 = index + 1 < bytes.count ? UInt32(bytes[index + 1]) : 0
            let b2 = index + 2 < bytes.count ? UInt32(bytes[index + 2]) : 0
            let group = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(group >> 18 & 63)])
            out.append(alphabet[Int(group >> 12 & 63)])
            out.append(index + 1 < bytes.count ? alphabet[Int(group >> 6 & 63)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? alphabet[Int(group & 63)] : UInt8(ascii: "="))
            index += 3
        }
        return out
    }
}
