/// A reference period as a publisher wrote it (`2019`, `2019-06`, `2019-Q2`, `2019-W23`,
/// `2019-06-30`, `201906`, `2019-M06`, `2019-S1`, `2019-A1`, `2019-06-30T00:00:00`), with
/// the first and last day it covers. A text no rule recognises keeps no dates; callers
/// decide whether that is an error.
public struct Period: Hashable, Sendable, Comparable, CustomStringConvertible {
    public enum Frequency: String, Sendable {
        case annual = "A"
        case semiannual = "S"
        case quarterly = "Q"
        case monthly = "M"
        case weekly = "W"
        case daily = "D"
    }

    public let text: String
    public let frequency: Frequency?
    // Days since 1970-01-01, or `none`: kept small because a pull can hold millions of periods.
    private let startDay: Int32
    private let endDay: Int32
    private static let none = Int32.min

    /// Reads `text`. Never fails: an unrecognised text has nil dates (see `isRecognised`).
    public init(_ text: String) {
        self.text = text
        if let (frequency, start, end) = Self.interpret(text) {
            self.frequency = frequency
            self.startDay = Int32(clamping: start.daysSinceEpoch)
            self.endDay = Int32(clamping: end.daysSinceEpoch)
        } else {
            self.frequency = nil
            self.startDay = Self.none
            self.endDay = Self.none
        }
    }

    /// The first day the period covers.
    public var start: CalendarDate? { startDay == Self.none ? nil : CalendarDate(daysSinceEpoch: Int(startDay)) }
    /// The last day the period covers.
    public var end: CalendarDate? { endDay == Self.none ? nil : CalendarDate(daysSinceEpoch: Int(endDay)) }

    public var isRecognised: Bool { startDay != Self.none }
    public var description: String { text }

    /// Periods sort by start date, then by length, then by text.
    public static func < (lhs: Period, rhs: Period) -> Bool {
        if lhs.startDay != rhs.startDay { return lhs.startDay < rhs.startDay }
        if lhs.endDay != rhs.endDay { return lhs.endDay < rhs.endDay }
        return lhs.text < rhs.text
    }

    private static func interpret(_ raw: String) -> (Frequency, CalendarDate, CalendarDate)? {
        var text = Substring(raw.trimmingWhitespace())
        if let t = text.firstIndex(of: "T") { text = text[..<t] }  // a time of day adds nothing to a day period
        let utf8 = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= utf8.count, !range.isEmpty else { return nil }
            var value = 0
            for byte in utf8[range] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard utf8.count >= 4, let year = number(0..<4) else { return nil }
        if utf8.count == 4 { return annual(year) }
        if utf8.count == 6, let month = number(4..<6) { return monthly(year, month) }  // 201906 (Comtrade)
        var rest = 4
        if utf8[rest] == UInt8(ascii: "-") { rest += 1 }
        guard rest < utf8.count else { return nil }
        let tail = utf8.count - rest
        switch utf8[rest] {
        case UInt8(ascii: "A") where tail == 2 && number(rest + 1..<rest + 2) == 1:
            return annual(year)
        case UInt8(ascii: "S"):
            guard tail == 2, let half = number(rest + 1..<rest + 2), (1...2).contains(half) else { return nil }
            let first = (half - 1) * 6 + 1
            return (.semiannual, CalendarDate(year, first, 1), CalendarDate.endOfMonth(year, first + 5))
        case UInt8(ascii: "Q"):
            guard tail == 2, let quarter = number(rest + 1..<rest + 2), (1...4).contains(quarter) else { return nil }
            let first = (quarter - 1) * 3 + 1
            return (.quarterly, CalendarDate(year, first, 1), CalendarDate.endOfMonth(year, first + 2))
        case UInt8(ascii: "M"):
            guard tail == 3, let month = number(rest + 1..<rest + 3) else { return nil }
            return monthly(year, month)
        case UInt8(ascii: "W"):
            guard tail == 3, let week = number(rest + 1..<rest + 3),
                let monday = CalendarDate.isoWeekStart(year: year, week: week)
            else { return nil }
            return (.weekly, monday, monday.adding(days: 6))
        default:
            if tail == 2, let month = number(rest..<rest + 2) { return monthly(year, month) }
            if tail == 5, utf8[rest + 2] == UInt8(ascii: "-"), let month = number(rest..<rest + 2),
                let day = number(rest + 3..<rest + 5), let date = CalendarDate(validating: year, month, day)
            {
                return (.daily, date, date)
            }
            return nil
        }
    }

    private static func annual(_ year: Int) -> (Frequency, CalendarDate, CalendarDate) {
        (.annual, CalendarDate(year, 1, 1), CalendarDate(year, 12, 31))
    }

    private static func monthly(_ year: Int, _ month: Int) -> (Frequency, CalendarDate, CalendarDate)? {
        guard (1...12).contains(month) else { return nil }
        return (.monthly, CalendarDate(year, month, 1), CalendarDate.endOfMonth(year, month))
    }
}

extension String {
    func trimmingWhitespace() -> Substring {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return Substring(scalars[first...last])
    }
}
