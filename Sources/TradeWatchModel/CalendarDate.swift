/// A day in the proleptic Gregorian calendar, without a time zone. Its text form is
/// `YYYY-MM-DD`, which sorts as the dates do.
public struct CalendarDate: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    init(_ year: Int, _ month: Int, _ day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// A date only when the day exists in that month.
    public init?(validating year: Int, _ month: Int, _ day: Int) {
        guard (1...12).contains(month), day >= 1, day <= Self.daysIn(year, month) else { return nil }
        self.init(year, month, day)
    }

    /// Reads `YYYY-MM-DD`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(validating: y, m, d)
    }

    public var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysIn(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func endOfMonth(_ year: Int, _ month: Int) -> CalendarDate {
        CalendarDate(year, month, daysIn(year, month))
    }

    /// Days since 1970-01-01 (negative before), after Howard Hinnant's `days_from_civil`.
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public init(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    public func adding(days: Int) -> CalendarDate { CalendarDate(daysSinceEpoch: daysSinceEpoch + days) }

    /// Monday of ISO week `week` of ISO year `year`, or nil when that year has no such week.
    static func isoWeekStart(year: Int, week: Int) -> CalendarDate? {
        guard week >= 1 else { return nil }
        let jan4 = CalendarDate(year, 1, 4).daysSinceEpoch
        let weekday = ((jan4 + 3) % 7 + 7) % 7  // 0 = Monday; 1970-01-01 was a Thursday
        let mondayOfWeek1 = jan4 - weekday
        let monday = mondayOfWeek1 + (week - 1) * 7
        let nextYearWeek1 = CalendarDate(year + 1, 1, 4).daysSinceEpoch
        let nextMonday = nextYearWeek1 - ((nextYearWeek1 + 3) % 7 + 7) % 7
        guard monday < nextMonday else { return nil }
        return CalendarDate(daysSinceEpoch: monday)
    }
}
