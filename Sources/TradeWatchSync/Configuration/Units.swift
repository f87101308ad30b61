import Foundation

/// Durations as the configuration writes them: `"90s"`, `"30m"`, `"6h"`, `"1d"`, `"1h30m"`,
/// `"250ms"`, or a bare number of seconds.
public enum DurationText {
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Int64(trimmed), seconds >= 0 { return .seconds(seconds) }
        var total: Duration = .zero
        var number = ""
        var unit = ""
        var sawPart = false
        func flush() -> Bool {
            guard let value = Int64(number) else { return false }
            let part: Duration
            switch unit {
            case "ms": part = .milliseconds(value)
            case "s": part = .seconds(value)
            case "m": part = .seconds(value * 60)
            case "h": part = .seconds(value * 3600)
            case "d": part = .seconds(value * 86_400)
            case "w": part = .seconds(value * 604_800)
            default: return false
            }
            total += part
            sawPart = true
            number = ""
            unit = ""
            return true
        }
        for character in trimmed {
            if character.isASCII && character.isNumber {
                if !unit.isEmpty { guard flush() else { return nil } }
                number.append(character)
            } else if character.isASCII && character.isLetter {
                guard !number.isEmpty else { return nil }
                unit.append(character)
            } else {
                return nil
            }
        }
        guard !number.isEmpty, flush(), sawPart else { return nil }
        return total
    }

    /// The shortest text `parse` reads back as `duration` (whole seconds).
    public static func format(_ duration: Duration) -> String {
        var seconds = duration.components.seconds
        if seconds == 0 {
            return duration.components.attoseconds > 0
                ? "\(duration.components.attoseconds / 1_000_000_000_000_000)ms" : "0s"
        }
        var out = ""
        for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60), ("s", 1)] where seconds >= size {
            out += "\(seconds / size)\(unit)"
            seconds %= size
        }
        return out
    }
}

/// Sizes as the configuration writes them: `"64MiB"`, `"500MB"`, `"1GiB"`, `"4096"` (bytes).
public enum ByteSizeText {
    public static func parse(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isASCII && ($0.isNumber) }
        guard !digits.isEmpty, let value = Int64(digits) else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        let multiplier: Int64
        switch unit {
        case "", "B": multiplier = 1
        case "KB", "kB": multiplier = 1000
        case "KiB": multiplier = 1 << 10
        case "MB": multiplier = 1_000_000
        case "MiB": multiplier = 1 << 20
        case "GB": multiplier = 1_000_000_000
        case "GiB": multiplier = 1 << 30
        default: return nil
        }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }
}
