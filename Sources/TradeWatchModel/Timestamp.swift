public import Foundation

/// Instants as the cache stores them: RFC 3339 UTC text with milliseconds
/// (`2026-11-29T05:00:00.123Z`), which sorts as time does and reads well in any SQLite tool.
public enum Timestamp {
    public static func format(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let days = Int(millis >= 0 ? millis / 86_400_000 : (millis - 86_399_999) / 86_400_000)
        let inDay = Int(millis - Int64(days) * 86_400_000)
        let ms = inDay % 1000
        let seconds = inDay / 1000
        let calendar = CalendarDate(daysSinceEpoch: days)
        guard (0...9999).contains(calendar.year) else {
            return "\(calendar)T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):"
                + "\(pad(seconds % 60, 2)).\(pad(ms, 3))Z"
        }
        // Written byte by byte: every recorded fetch, revision and article date goes through here.
        return String(unsafeUninitializedCapacity: 24) { buffer in
            func put(_ value: Int, _ width: Int, at offset: Int) {
                var value = value
                for index in stride(from: offset + width - 1, through: offset, by: -1) {
                    buffer[index] = UInt8(48 + value % 10)
                    value /= 10
                }
            }
            put(calendar.year, 4, at: 0)
            buffer[4] = UInt8(ascii: "-")
            put(calendar.month, 2, at: 5)
            buffer[7] = UInt8(ascii: "-")
            put(calendar.day, 2, at: 8)
            buffer[10] = UInt8(ascii: "T")
            put(seconds / 3600, 2, at: 11)
            buffer[13] = UInt8(ascii: ":")
            put(seconds / 60 % 60, 2, at: 14)
            buffer[16] = UInt8(ascii: ":")
            put(seconds % 60, 2, at: 17)
            buffer[19] = UInt8(ascii: ".")
            put(ms, 3, at: 20)
            buffer[23] = UInt8(ascii: "Z")
            return 24
        }
    }

    /// Reads what `format` writes, and RFC 3339 with or without fractions or with an offset.
    public static func parse(_ text: String) -> Date? {
        // Text in the cache's own layout is read exactly: no rolling 30 February into March.
        if text.utf8.count == 24, text.hasSuffix("Z") { return parseOwn(text) }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) {
            return date
        }
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }

    /// The exact layout `format` writes, read without Foundation: the cache reads thousands
    /// of these per status or log query.
    private static func parseOwn(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 24, bytes[4] == 45, bytes[7] == 45, bytes[10] == 84, bytes[13] == 58, bytes[16] == 58,
            bytes[19] == 46, bytes[23] == 90
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            let millis = number(20..<23), let date = CalendarDate(validating: year, month, day), hour < 24,
            minute < 60, second < 61
        else { return nil }
        let seconds = Double(date.daysSinceEpoch) * 86_400 + Double(hour * 3600 + minute * 60 + second)
        return Date(timeIntervalSince1970: seconds + Double(millis) / 1000)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
