import Foundation

/// Comtrade's period codes: `2019` for annual data, `201906` for monthly. The configuration
/// may also write `2019-06`, and ranges `2017-01..2019-12` or `2015..2019`.
public enum ComtradePeriods {
    public enum Expansion: Equatable {
        case success([String])
        case failure(String)
    }

    public static func expand(_ text: String, frequency: String) -> Expansion {
        let parts = text.components(separatedBy: "..")
        guard parts.count <= 2 else { return .failure("\"\(text)\" is not a period or a range FROM..TO") }
        var codes: [(year: Int, month: Int?)] = []
        for part in parts {
            guard let code = parse(part, frequency: frequency) else {
                let example = frequency == "A" ? "\"2019\"" : "\"2019-06\" or \"201906\""
                return .failure(
                    "\"\(part)\" is not a \(frequency == "A" ? "year" : "month") period; expected \(example)")
            }
            codes.append(code)
        }
        guard codes.count == 2 else { return .success([format(codes[0])]) }
        let (from, to) = (codes[0], codes[1])
        let fromIndex = from.year * 12 + (from.month ?? 1) - 1
        let toIndex = to.year * 12 + (to.month ?? 1) - 1
        guard fromIndex <= toIndex else { return .failure("the range \"\(text)\" ends before it starts") }
        if frequency == "A" { return .success((from.year...to.year).map(String.init)) }
        guard toIndex - fromIndex < 1200 else { return .failure("the range \"\(text)\" spans more than 100 years") }
        return .success((fromIndex...toIndex).map { format((year: $0 / 12, month: $0 % 12 + 1)) })
    }

    private static func parse(_ text: String, frequency: String) -> (year: Int, month: Int?)? {
        let digits = text.filter { $0 != "-" }
        guard digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        let dashes = text.count - digits.count
        switch (frequency, digits.count) {
        case ("A", 4) where dashes == 0:
            guard let year = Int(digits), (1900...2200).contains(year) else { return nil }
            return (year, nil)
        case ("M", 6) where dashes == 0 || (dashes == 1 && text.count == 7 && text.dropFirst(4).first == "-"):
            guard let year = Int(digits.prefix(4)), let month = Int(digits.suffix(2)), (1900...2200).contains(year),
                (1...12).contains(month)
            else { return nil }
            return (year, month)
        default:
            return nil
        }
    }

    private static func format(_ code: (year: Int, month: Int?)) -> String {
        guard let month = code.month else { return String(code.year) }
        return String(code.year) + (month < 10 ? "0" : "") + String(month)
    }
}
