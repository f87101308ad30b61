public import Foundation
import TradeWatchModel

/// Dates as feeds write them: RFC 822/1123 and their common variants (two-digit years, no
/// seconds, no weekday, named zones such as KST, CST, EST and PST, numeric offsets),
/// ISO 8601 / W3C-DTF, Unix timestamps, and broken forms seen in the wild. What cannot be read
/// is nil — never "now".
public enum FeedDate {
    public static func parse(_ raw: String) -> Date? {
        let text = raw.trimmingXMLWhitespace
        guard !text.isEmpty else { return nil }
        if text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            guard let number = Double(text) else { return nil }
            switch text.count {
            case 9, 10: return Date(timeIntervalSince1970: number)
            case 12, 13: return Date(timeIntervalSince1970: number / 1000)
            default: return nil
            }
        }
        let scalars = Array(text.utf8)
        if scalars.count >= 4, scalars[0..<4].allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            return iso8601(scalars)
        }
        return canonicalRFC1123(scalars) ?? rfc822(text)
    }

    /// The form nearly every feed writes, `Mon, 01 Jul 2019 09:00:00 GMT` (or `+0900`), read
    /// directly; anything else goes through the tolerant reader.
    private static func canonicalRFC1123(_ s: [UInt8]) -> Date? {
        guard s.count == 29 || s.count == 31, s[3] == UInt8(ascii: ","), s[4] == 32, s[7] == 32, s[11] == 32,
            s[16] == 32, s[19] == UInt8(ascii: ":"), s[22] == UInt8(ascii: ":"), s[25] == 32
        else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            var value = 0
            for byte in s[from..<from + count] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let day = number(5, 2), let year = number(12, 4), let hour = number(17, 2),
            let minute = number(20, 2), let second = number(23, 2)
        else { return nil }
        let monthKey = String(decoding: s[8..<11], as: UTF8.self).lowercased()
        guard let month = months[monthKey] else { return nil }
        var offset = 0
        if s.count == 29 {
            guard s[26...28].elementsEqual("GMT".utf8) || s[26...28].elementsEqual("UTC".utf8) else { return nil }
        } else {
            guard s[26] == UInt8(ascii: "+") || s[26] == UInt8(ascii: "-"), let value = number(27, 4) else {
                return nil
            }
            offset = (s[26] == UInt8(ascii: "-") ? -1 : 1) * ((value / 100) * 3600 + (value % 100) * 60)
        }
        return make(
            year: year, month: month, day: day, hour: hour, minute: minute, second: Double(second), offset: offset)
    }

    // MARK: ISO 8601 / W3C-DTF

    private static func iso8601(_ s: [UInt8]) -> Date? {
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= s.count else { return nil }
            var value = 0
            for byte in s[index..<index + digits] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += digits
            return value
        }
        func skip(_ byte: UInt8) -> Bool {
            guard index < s.count, s[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = number(4) else { return nil }
        var month = 1
        var day = 1
        if skip(UInt8(ascii: "-")) {
            guard let m = number(2) else { return nil }
            month = m
            if skip(UInt8(ascii: "-")) {
                guard let d = number(2) else { return nil }
                day = d
            }
        } else if let m = number(2) {  // 20040101
            month = m
            day = number(2) ?? 1
        }
        var hour = 0
        var minute = 0
        var second = 0.0
        var offset = 0
        if index < s.count,
            s[index] == UInt8(ascii: "T") || s[index] == UInt8(ascii: " ") || s[index] == UInt8(ascii: "t")
        {
            index += 1
            guard let h = number(2) else { return nil }
            hour = h
            _ = skip(UInt8(ascii: ":"))
            minute = number(2) ?? 0
            if skip(UInt8(ascii: ":")) || (index < s.count && s[index] >= 48 && s[index] <= 57) {
                second = Double(number(2) ?? 0)
                if skip(UInt8(ascii: ".")) || skip(UInt8(ascii: ",")) {
                    var scale = 0.1
                    while index < s.count, s[index] >= 48, s[index] <= 57 {
                        second += Double(s[index] - 48) * scale
                        scale /= 10
                        index += 1
                    }
                }
            }
            while index < s.count, s[index] == 32 { index += 1 }
            if index < s.count {
                switch s[index] {
                case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                    index += 1
                case UInt8(ascii: "+"), UInt8(ascii: "-"):
                    let sign = s[index] == UInt8(ascii: "-") ? -1 : 1
                    index += 1
                    guard let hours = number(2) else { return nil }
                    _ = skip(UInt8(ascii: ":"))
                    let minutes = number(2) ?? 0
                    offset = sign * (hours * 3600 + minutes * 60)
                default:
                    let rest = String(decoding: s[index...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
                    guard let zone = zones[rest.uppercased()] else { return nil }
                    offset = zone
                    index = s.count
                }
            }
        }
        return make(year: year, month: month, day: day, hour: hour, minute: minute, second: second, offset: offset)
    }

    // MARK: RFC 822 and relatives

    private static func rfc822(_ text: String) -> Date? {
        // Tokens: runs of letters, runs of digits with ':' (times), and signed offsets. Read on
        // the UTF-8 bytes; any non-ASCII byte counts as a letter (localised month names).
        var tokens: [String] = []
        var current: [UInt8] = []
        var previousWasSpace = true
        func flush() {
            if !current.isEmpty { tokens.append(String(decoding: current, as: UTF8.self)) }
            current.removeAll(keepingCapacity: true)
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: ":"), UInt8(ascii: "."), 0x80...0xFF:
                current.append(byte)
            case UInt8(ascii: "+"):
                flush()
                current.append(byte)
            case UInt8(ascii: "-") where previousWasSpace:
                flush()
                current.append(byte)
            default:
                flush()
            }
            previousWasSpace = byte == UInt8(ascii: " ")
        }
        flush()

        var day: Int?
        var month: Int?
        var year: Int?
        var time: (Int, Int, Double)?
        var offset: Int?
        for token in tokens {
            let lower = token.lowercased()
            if time == nil, token.utf8.contains(UInt8(ascii: ":")) {
                let parts = token.split(separator: ":")
                guard parts.count >= 2, let h = Int(parts[0]), let m = Int(parts[1]) else { continue }
                time = (h, m, parts.count > 2 ? Double(parts[2]) ?? 0 : 0)
            } else if let sign = token.first, sign == "+" || sign == "-", token.count >= 3 {
                let digits = token.dropFirst().filter(\.isASCIIDigit)
                guard digits.count == 4 || digits.count == 2, let value = Int(digits) else { continue }
                let seconds = digits.count == 4 ? (value / 100) * 3600 + (value % 100) * 60 : value * 3600
                offset = (sign == "-" ? -1 : 1) * seconds
            } else if let number = Int(token) {
                if day == nil && number >= 1 && number <= 31 && token.count <= 2 {
                    day = number
                } else if year == nil {
                    year = token.count <= 2 ? (number < 50 ? 2000 + number : 1900 + number) : number
                }
            } else if month == nil, let m = months[String(lower.prefix(3))],
                lower.count == 3 || monthNames.contains(lower) || lower.hasSuffix(".")
            {
                month = m
            } else if offset == nil, let zone = zones[token.uppercased()] {
                offset = zone
            }
        }
        guard let day, let month, let year else { return nil }
        let (hour, minute, second) = time ?? (0, 0, 0)
        return make(year: year, month: month, day: day, hour: hour, minute: minute, second: second, offset: offset ?? 0)
    }

    private static func make(
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Double, offset: Int
    ) -> Date? {
        guard (1...12).contains(month), (1...31).contains(day), (0...24).contains(hour), (0...59).contains(minute),
            second < 61, year >= 1900, year < 3000
        else { return nil }
        // Rejects 31 February and friends rather than rolling over.
        guard let date = CalendarDate(validating: year, month, day) else { return nil }
        let seconds = Double(date.daysSinceEpoch * 86_400 + hour * 3600 + minute * 60 - offset) + second
        return Date(timeIntervalSince1970: seconds)
    }

    private static let months: [String: Int] = [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
        "nov": 11, "dec": 12,
    ]

    private static let monthNames: Set<String> = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "sept", "october",
        "november", "december",
    ]

    /// Zone names feeds use, as offsets from UTC in seconds. Ambiguous names take their most
    /// common meaning in feeds (CST: US Central; IST: India).
    private static let zones: [String: Int] = [
        "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 3600, "CET": 3600, "CEST": 7200, "MET": 3600,
        "MEST": 7200, "EET": 7200, "EEST": 10_800, "MSK": 10_800, "IST": 19_800, "ICT": 25_200, "WIB": 25_200,
        "HKT": 28_800, "SGT": 28_800, "AWST": 28_800, "PHT": 28_800, "KST": 32_400, "JST": 32_400,
        "AEST": 36_000, "AEDT": 39_600, "NZST": 43_200, "NZDT": 46_800, "EST": -18_000, "EDT": -14_400,
        "CST": -21_600, "CDT": -18_000, "MST": -25_200, "MDT": -21_600, "PST": -28_800, "PDT": -25_200,
        "AKST": -32_400, "AKDT": -28_800, "HST": -36_000, "AST": -14_400, "ADT": -10_800, "NST": -12_600,
    ]
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
