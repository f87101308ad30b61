public import Foundation
import TradeWatchModel

/// Reads UN Comtrade API v1 answers: `{"count": n, "data": [records], "error": ""}`.
///
/// Each record gives up to five measures of one trade flow; each becomes an observation of
/// the same series with a `MEASURE` dimension, so a revised net weight and a revised value
/// are told apart. A null measure is not published and yields no observation.
public enum ComtradeReader {
    /// The measures kept, with the unit each is in (`qty` takes the record's own unit).
    static let measures: [(field: String, unit: String?, estimatedFlag: String?)] = [
        ("primaryValue", "USD", nil), ("cifvalue", "USD", nil), ("fobvalue", "USD", nil),
        ("netWgt", "kg", "isNetWgtEstimated"), ("qty", nil, "isQtyEstimated"),
    ]

    /// The key's dimensions in order, with the record fields they come from.
    static let dimensions: [(id: String, field: String)] = [
        ("TYPE", "typeCode"), ("FREQ", "freqCode"), ("CL", "classificationCode"), ("REPORTER", "reporterCode"),
        ("PARTNER", "partnerCode"), ("PARTNER2", "partner2Code"), ("FLOW", "flowCode"), ("CMD", "cmdCode"),
        ("CUSTOMS", "customsCode"), ("MOT", "motCode"),
    ]

    /// The descriptions a record carries when asked with `includeDesc=true`, each with the
    /// dimension and the code field it names.
    static let descriptions: [(component: String, codeField: String, field: String)] = [
        ("REPORTER", "reporterCode", "reporterDesc"), ("PARTNER", "partnerCode", "partnerDesc"),
        ("PARTNER2", "partner2Code", "partner2Desc"), ("FLOW", "flowCode", "flowDesc"), ("CMD", "cmdCode", "cmdDesc"),
        ("CUSTOMS", "customsCode", "customsDesc"), ("MOT", "motCode", "motDesc"),
    ]

    /// Fields kept as attributes when present.
    static let attributeFields = [
        "isReported", "isAggregate", "isOriginalClassification", "legacyEstimationFlag", "aggrLevel", "isLeaf",
        "mosCode", "qtyUnitAbbr", "refPeriodId",
    ]

    /// Each code a record describes (`reporterDesc`, `cmdDesc`… when asked with
    /// `includeDesc=true`) goes to `output.label` once per message, in English, under
    /// `dataset`; a later record naming the same code differently sends the new name too (the
    /// last one counts). A description that is missing, null, empty or not a string names
    /// nothing.
    ///
    /// - Parameters:
    ///   - dataset: the dataset id the observations are stored under.
    ///   - recordCap: the most records the endpoint returns (500 for the preview); an answer
    ///     that reaches it is probably cut, and says so in the warnings.
    public static func read(
        _ data: Data, dataset: String, recordCap: Int? = nil, into output: StatisticsOutput
    ) throws -> StatisticsSummary {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw StatisticsError(.malformed, "not valid JSON: \(Self.reason(error))")
        }
        guard let envelope = root as? [String: Any] else {
            throw StatisticsError(.malformed, "expected a JSON object with count, data and error")
        }
        if let message = envelope["error"] as? String, !message.isEmpty {
            throw StatisticsError(.publisherError, "Comtrade answered with an error: \(message)")
        }
        if envelope["data"] == nil, let status = envelope["statusCode"], let message = envelope["message"] {
            throw StatisticsError(.publisherError, "Comtrade answered \(status): \(message)")
        }
        let records: [Any]
        switch envelope["data"] {
        case let array as [Any]: records = array
        case nil, is NSNull: records = []
        default: throw StatisticsError(.malformed, "\"data\" is not an array of records")
        }
        var summary = StatisticsSummary()
        let repeated = RepeatedKeys()
        let noted = output.noting(repeated)
        var named: [String: String] = [:]
        for (index, element) in records.enumerated() {
            guard let record = element as? [String: Any] else {
                throw StatisticsError(.malformed, "is not a JSON object", place: "record \(index + 1)")
            }
            try readRecord(record, index: index, dataset: dataset, summary: &summary, output: noted)
            try readDescriptions(record, dataset: dataset, named: &named, output: noted)
        }
        summary.append(repeated)
        if let count = JSONScalar.int(envelope["count"]), count != records.count {
            summary.warnings.append("Comtrade says count \(count) but sent \(records.count) records")
        }
        if let recordCap, records.count >= recordCap {
            summary.warnings.append(
                "the answer has \(records.count) records, the endpoint's cap: it is probably cut; narrow the query (fewer periods or commodities per call)"
            )
        }
        return summary
    }

    private static func readRecord(
        _ record: [String: Any], index: Int, dataset: String, summary: inout StatisticsSummary,
        output: StatisticsOutput
    ) throws {
        let place = "record \(index + 1)"
        var key: [SeriesKey.Dimension] = []
        for (id, field) in dimensions {
            guard let value = text(record[field]) else {
                if field == "partner2Code" || field == "customsCode" || field == "motCode" { continue }
                throw StatisticsError(.malformed, "has no \(field)", place: place)
            }
            key.append(SeriesKey.Dimension(id: id, value: value))
        }
        let frequency = text(record["freqCode"]) ?? ""
        guard let periodCode = text(record["period"]) else {
            throw StatisticsError(.malformed, "has no period", place: place)
        }
        let period = try periodText(periodCode, frequency: frequency, place: place)
        var attributes: [String: String] = [:]
        for field in attributeFields {
            if let value = text(record[field]) { attributes[field] = value }
        }
        let reported = JSONScalar.bool(record["isReported"]) ?? true
        for (field, unit, estimatedFlag) in measures {
            guard let raw = record[field], let value = number(raw) else { continue }
            var dimensions = key
            dimensions.append(SeriesKey.Dimension(id: "MEASURE", value: field))
            let estimated = estimatedFlag.map { JSONScalar.bool(record[$0]) ?? false } ?? !reported
            try output.add(
                Observation(
                    dataset: dataset, series: SeriesKey(dimensions), period: Period(period), value: value,
                    unit: unit ?? text(record["qtyUnitAbbr"]), status: estimated ? "E" : nil, attributes: attributes))
            summary.observations += 1
        }
    }

    /// Sends the names `record` gives its codes that `named` (component and code → the name
    /// last sent) does not already hold.
    private static func readDescriptions(
        _ record: [String: Any], dataset: String, named: inout [String: String], output: StatisticsOutput
    ) throws {
        for (component, codeField, field) in descriptions {
            guard let name = record[field] as? String, name.contains(where: { !$0.isWhitespace }),
                let code = text(record[codeField])
            else { continue }
            let identity = component + "\u{0}" + code
            guard named[identity] != name else { continue }
            named[identity] = name
            try output.label(dataset, CodeLabel(component: component, code: code, language: "en", name: name))
        }
    }

    /// `201906` → `2019-06` for monthly data, `2019` for annual; anything else is an error,
    /// never passed on silently.
    static func periodText(_ code: String, frequency: String, place: String) throws -> String {
        let digits = code.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        switch frequency {
        case "M" where digits && code.utf8.count == 6:
            let month = Int(code.suffix(2)) ?? 0
            guard (1...12).contains(month) else { break }
            return String(code.prefix(4)) + "-" + String(code.suffix(2))
        case "A" where digits && code.utf8.count == 4:
            return code
        default:
            break
        }
        throw StatisticsError(
            .invalidValue,
            "period \"\(code)\" does not fit frequency \"\(frequency)\" (expected \(frequency == "A" ? "YYYY" : "YYYYMM"))",
            place: place)
    }

    /// A JSON scalar as text: strings as they are, numbers without a spurious `.0`.
    static func text(_ value: Any?) -> String? {
        if let bool = JSONScalar.bool(value) { return bool ? "true" : "false" }
        if let number = JSONScalar.number(value) { return format(number) }
        return value as? String
    }

    /// A measure as decimal text; nil for null. Numbers keep their digits (`6804128143`,
    /// `12.5`), never an exponent.
    static func number(_ value: Any) -> String? {
        if let number = JSONScalar.number(value) { return format(number) }
        if let string = value as? String, Double(string) != nil { return string }
        return nil
    }

    private static func format(_ number: NSNumber) -> String {
        let double = number.doubleValue
        if double.isNaN || double.isInfinite { return "NaN" }
        if double == double.rounded(), abs(double) < 1e17 { return String(Int64(double)) }
        return "\(double)"
    }

    private static func reason(_ error: any Error) -> String {
        (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? error.localizedDescription
    }
}
