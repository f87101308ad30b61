import Foundation

/// Tells JSON booleans from numbers in what `JSONSerialization` returns. On Linux every
/// number bridges to `Bool` (`0 is Bool` is true), so the test is the NSNumber's own type:
/// booleans are `c`.
enum JSONScalar {
    static func isBool(_ value: Any?) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }

    static func bool(_ value: Any?) -> Bool? {
        guard isBool(value), let number = value as? NSNumber else { return nil }
        return number.boolValue
    }

    /// A JSON number that is not a boolean.
    static func number(_ value: Any?) -> NSNumber? {
        guard let number = value as? NSNumber, !isBool(value) else { return nil }
        return number
    }

    /// A JSON number that is a whole number an `Int` can hold; nil for anything else (a
    /// fraction, 1e30, a 29-digit index), never a trap.
    static func int(_ value: Any?) -> Int? {
        guard let number = number(value) else { return nil }
        // Integers bridge as integer NSNumbers; read those exactly, everything else as a double.
        let type = String(cString: number.objCType)
        if ["q", "l", "i", "s"].contains(type) { return Int(exactly: number.int64Value) }
        return Int(exactly: number.doubleValue)
    }
}
