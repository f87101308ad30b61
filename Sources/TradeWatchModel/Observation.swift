/// One published figure: the value of one series for one period, as the publisher gave it.
///
/// Identity within a source is (dataset, series key, period text). Everything else is the
/// content that a revision can change.
public struct Observation: Hashable, Sendable {
    public var dataset: String
    public var series: SeriesKey
    public var period: Period
    /// The value as published, as decimal text; nil when the publisher marks it missing.
    public var value: String?
    public var unit: String?
    /// Power of ten the value is expressed in (SDMX `UNIT_MULT`), when given.
    public var unitMultiplier: Int?
    /// Status flags such as SDMX `OBS_STATUS` (`A`, `E`, `P`, `F`) or Comtrade estimation flags.
    public var status: String?
    /// Every other attribute, from observation, series and dataset level.
    public var attributes: [String: String]

    public init(
        dataset: String, series: SeriesKey, period: Period, value: String?, unit: String? = nil,
        unitMultiplier: Int? = nil, status: String? = nil, attributes: [String: String] = [:]
    ) {
        self.dataset = dataset
        self.series = series
        self.period = period
        self.value = value
        self.unit = unit
        self.unitMultiplier = unitMultiplier
        self.status = status
        self.attributes = attributes
    }

    /// The value as a number; nil when missing, NaN or not a decimal number. Never 0 for missing.
    public var number: Double? {
        guard let value, let number = Double(value), !number.isNaN else { return nil }
        return number
    }

    public var key: ObservationKey { ObservationKey(dataset: dataset, series: series.canonical, period: period.text) }
}

/// The identity of an observation inside one source.
public struct ObservationKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var dataset: String
    public var series: String
    public var period: String

    public init(dataset: String, series: String, period: String) {
        self.dataset = dataset
        self.series = series
        self.period = period
    }

    public var description: String { "\(dataset)/\(series)@\(period)" }

    public static func < (lhs: ObservationKey, rhs: ObservationKey) -> Bool {
        (lhs.dataset, lhs.series, lhs.period) < (rhs.dataset, rhs.series, rhs.period)
    }
}
