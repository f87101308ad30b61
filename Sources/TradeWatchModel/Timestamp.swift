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
        return "\(CalendarDate(daysSinceEpoch: days))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):"
            + "\(pad(seconds % 60, 2)).\(pad(ms, 3))Z"
    }

    /// Reads what `format` writes, and RFC 3339 with or without fractions or with an offset.
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) {
            return date
        }
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
