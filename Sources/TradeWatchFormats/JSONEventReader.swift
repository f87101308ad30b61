import Foundation

/// One JSON scalar as read: numbers keep their text exactly as written.
enum JSONScalarValue {
    case string(String)
    case number(String)
    case bool(Bool)
    case null
}

/// Where an event sits: the member names and array positions from the root down.
enum JSONPathItem: Equatable {
    case key(String)
    case index(Int)
}

/// Receives a document's events in order. Throwing stops the reading.
protocol JSONEventHandler: AnyObject {
    /// A container opens at `path` (its own position is the last item).
    func jsonStart(object: Bool, path: [JSONPathItem]) throws
    func jsonEnd(object: Bool, path: [JSONPathItem]) throws
    func jsonScalar(_ value: JSONScalarValue, path: [JSONPathItem]) throws
}

/// A streaming JSON reader: bytes go in as they arrive (in chunks of any size), events come
/// out, and nothing but the current path and one unfinished token is kept, so a message of
/// hundreds of megabytes is read in the memory of its largest string. Strict RFC 8259 syntax;
/// errors name the byte offset.
final class JSONEventReader {
    private enum Expect {
        case value, valueOrEnd, keyOrEnd, key, colon, commaOrEnd, end
    }

    private let handler: any JSONEventHandler
    private var expect = Expect.value
    /// Open containers: object or array, with how many elements an array has seen.
    private var containers: [(object: Bool, count: Int)] = []
    private var path: [JSONPathItem] = []
    private var carry: [UInt8] = []
    /// Bytes consumed before the current buffer, for error messages.
    private var offset = 0

    /// The deepest nesting read (Foundation's JSON parser allows 512 too).
    static let maxDepth = 512

    init(handler: any JSONEventHandler) {
        self.handler = handler
    }

    func feed(_ data: Data) throws {
        try data.withUnsafeBytes { try feed(UnsafeRawBufferPointer($0)) }
    }

    func feed(_ bytes: UnsafeRawBufferPointer) throws {
        if carry.isEmpty {
            let used = try process(bytes.bindMemory(to: UInt8.self), final: false)
            if used < bytes.count { carry = Array(bytes[used...]) }
            offset += used
        } else {
            carry.append(contentsOf: bytes)
            let buffer = carry
            let used = try buffer.withUnsafeBufferPointer { try process($0, final: false) }
            carry = Array(buffer[used...])
            offset += used
        }
    }

    /// The document is complete: reads what is left and checks nothing is missing.
    func finish() throws {
        let buffer = carry
        carry = []
        let used = try buffer.withUnsafeBufferPointer { try process($0, final: true) }
        offset += used
        guard expect == .end else {
            throw StatisticsError(.malformed, "the JSON document ends early (at byte \(offset))")
        }
    }

    private func error(_ message: String, at index: Int) -> StatisticsError {
        StatisticsError(.malformed, "\(message) at byte \(offset + index)")
    }

    /// Reads whole tokens from `b`; returns how many bytes it used (the rest is one
    /// unfinished token, unless `final`).
    private func process(_ b: UnsafeBufferPointer<UInt8>, final: Bool) throws -> Int {
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            switch c {
            case 0x20, 0x09, 0x0A, 0x0D:
                i += 1
                continue
            default: break
            }
            if expect == .end { throw error("unexpected data after the JSON document", at: i) }
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard expect == .value || expect == .valueOrEnd else {
                    throw error("unexpected \"\(Unicode.Scalar(c))\"", at: i)
                }
                // Data messages nest a few levels; a hostile one could nest millions, each
                // a path item held until it closes.
                guard containers.count < Self.maxDepth else {
                    throw error("containers nested deeper than \(Self.maxDepth) levels", at: i)
                }
                let object = c == UInt8(ascii: "{")
                pushPosition()
                let current = path  // passed as a copy: no access to `path` spans the handler
                try handler.jsonStart(object: object, path: current)
                var open = take(&containers, leaving: [])
                open.append((object, 0))
                containers = open
                expect = object ? .keyOrEnd : .valueOrEnd
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                let object = c == UInt8(ascii: "}")
                guard let top = containers.last, top.object == object,
                    expect == .commaOrEnd || expect == (object ? .keyOrEnd : .valueOrEnd)
                else { throw error("unexpected \"\(Unicode.Scalar(c))\"", at: i) }
                var open = take(&containers, leaving: [])
                open.removeLast()
                containers = open
                let current = path
                try handler.jsonEnd(object: object, path: current)
                popPosition()
                afterValue()
                i += 1
            case UInt8(ascii: ","):
                guard expect == .commaOrEnd, let top = containers.last else { throw error("unexpected \",\"", at: i) }
                expect = top.object ? .key : .value
                i += 1
            case UInt8(ascii: ":"):
                guard expect == .colon else { throw error("unexpected \":\"", at: i) }
                expect = .value
                i += 1
            case UInt8(ascii: "\""):
                guard let (text, end) = try string(b, from: i) else {
                    if final { throw error("an unterminated string", at: i) }
                    return i
                }
                switch expect {
                case .key, .keyOrEnd:
                    var keys = take(&path, leaving: [])
                    keys.append(.key(text))
                    path = keys
                    expect = .colon
                case .value, .valueOrEnd:
                    pushPosition()
                    let current = path
                    try handler.jsonScalar(.string(text), path: current)
                    popPosition()
                    afterValue()
                default: throw error("unexpected string", at: i)
                }
                i = end
            default:
                guard expect == .value || expect == .valueOrEnd else {
                    throw error("unexpected \"\(Unicode.Scalar(c))\"", at: i)
                }
                var j = i
                while j < n, Self.isScalarByte(b[j]) { j += 1 }
                if j == n && !final { return i }  // the token may go on in the next chunk
                let token = UnsafeBufferPointer(rebasing: b[i..<j])
                let value: JSONScalarValue
                if token.elementsEqual("true".utf8) {
                    value = .bool(true)
                } else if token.elementsEqual("false".utf8) {
                    value = .bool(false)
                } else if token.elementsEqual("null".utf8) {
                    value = .null
                } else if Self.isNumber(token) {
                    value = .number(String(decoding: token, as: UTF8.self))
                } else {
                    let shown = String(decoding: token.prefix(20), as: UTF8.self)
                    throw error(
                        j == i ? "unexpected byte 0x\(String(c, radix: 16))" : "not a JSON value: \(shown)", at: i)
                }
                pushPosition()
                let current = path
                try handler.jsonScalar(value, path: current)
                popPosition()
                afterValue()
                i = j
            }
        }
        return n
    }

    /// The position a value about to start takes: the pending key in an object (already on
    /// the path), the next index in an array.
    ///
    /// `path` and `containers` are changed as locals taken out of the properties (see `take`),
    /// so that the optimizer proves every access to them disjoint: no run-time check per token.
    private func pushPosition() {
        guard let top = containers.last, !top.object else { return }
        var keys = take(&path, leaving: [])
        keys.append(.index(top.count))
        path = keys
        var open = take(&containers, leaving: [])
        open[open.count - 1].count += 1
        containers = open
    }

    /// Leaves the position of the value that just ended.
    private func popPosition() {
        guard !path.isEmpty && !containers.isEmpty else { return }
        var keys = take(&path, leaving: [])
        keys.removeLast()
        path = keys
    }

    private func afterValue() {
        expect = containers.isEmpty ? .end : .commaOrEnd
    }

    private static func isScalarByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
            UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "a")...UInt8(ascii: "z"):
            return true
        default: return false
        }
    }

    /// RFC 8259's number grammar.
    private static func isNumber(_ t: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        func digits() -> Int {
            let start = i
            while i < t.count, t[i] >= 48, t[i] <= 57 { i += 1 }
            return i - start
        }
        if i < t.count, t[i] == UInt8(ascii: "-") { i += 1 }
        guard i < t.count else { return false }
        if t[i] == 48 {
            i += 1
        } else if digits() == 0 {
            return false
        }
        if i < t.count, t[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { return false }
        }
        if i < t.count, t[i] == UInt8(ascii: "e") || t[i] == UInt8(ascii: "E") {
            i += 1
            if i < t.count, t[i] == UInt8(ascii: "+") || t[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { return false }
        }
        return i == t.count
    }

    /// The string starting at the quote at `start`, and the index after its closing quote;
    /// nil when the buffer ends first.
    private func string(_ b: UnsafeBufferPointer<UInt8>, from start: Int) throws -> (String, Int)? {
        var i = start + 1
        var escaped = false
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                let body = UnsafeBufferPointer(rebasing: b[(start + 1)..<i])
                return (escaped ? try unescape(body, at: start + 1) : String(decoding: body, as: UTF8.self), i + 1)
            }
            if c == UInt8(ascii: "\\") {
                escaped = true
                i += 2
                continue
            }
            if c < 0x20 { throw error("a control character inside a string", at: i) }
            i += 1
        }
        return nil
    }

    private func unescape(_ body: UnsafeBufferPointer<UInt8>, at base: Int) throws -> String {
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var i = 0
        /// Four hex digits at `p`.
        func hex4(at p: Int) throws -> UInt32 {
            guard p + 4 <= body.count else { throw error("a short \\u escape", at: base + p) }
            var value: UInt32 = 0
            for k in 0..<4 {
                guard let digit = Self.hexDigit(body[p + k]) else { throw error("a bad \\u escape", at: base + p) }
                value = value << 4 | digit
            }
            return value
        }
        while i < body.count {
            let c = body[i]
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < body.count else { throw error("a dangling backslash", at: base + i) }
            let e = body[i + 1]
            if let simple = Self.simpleEscapes[e] {
                out.append(simple)
                i += 2
                continue
            }
            switch e {
            case UInt8(ascii: "u"):
                var scalar = try hex4(at: i + 2)
                i += 6
                // A high surrogate joins the low one that follows it.
                if (0xD800...0xDBFF).contains(scalar), i + 1 < body.count, body[i] == UInt8(ascii: "\\"),
                    body[i + 1] == UInt8(ascii: "u"), let low = try? hex4(at: i + 2), (0xDC00...0xDFFF).contains(low)
                {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                out.append(contentsOf: String(character).utf8)
            default:
                throw error("an unknown escape \\\(Unicode.Scalar(e))", at: base + i)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t` and the bytes they stand for.
    private static let simpleEscapes: [UInt8: UInt8] = [
        UInt8(ascii: "\""): UInt8(ascii: "\""), UInt8(ascii: "\\"): UInt8(ascii: "\\"),
        UInt8(ascii: "/"): UInt8(ascii: "/"),
        UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D,
        UInt8(ascii: "t"): 0x09,
    ]

    private static func hexDigit(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(c - 48)
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(c - 87)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(c - 55)
        default: nil
        }
    }
}
