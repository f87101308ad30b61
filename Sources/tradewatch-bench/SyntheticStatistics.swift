import TradeWatchModel

/// A deterministic statistics source: monthly trade figures for reporter × partner × flow ×
/// commodity series, 60 months each, as a customs office would publish them.
struct SyntheticStatistics {
    let seriesCount: Int
    let periods: [Period]
    private let series: [SeriesKey]

    init(observations: Int) {
        periods = (2015...2019).flatMap { year in (1...12).map { Period("\(year)-\($0 < 10 ? "0" : "")\($0)") } }
        seriesCount = max(1, observations / periods.count)
        series = (0..<seriesCount).map { SyntheticStatistics.key($0) }
    }

    static func key(_ index: Int) -> SeriesKey {
        SeriesKey([
            SeriesKey.Dimension(id: "FREQ", value: "M"),
            SeriesKey.Dimension(id: "REPORTER", value: String(100 + index % 37)),
            SeriesKey.Dimension(id: "PARTNER", value: String(400 + (index / 37) % 11)),
            SeriesKey.Dimension(id: "FLOW", value: index % 2 == 0 ? "M" : "X"),
            SeriesKey.Dimension(id: "CMD", value: String(100_000 + index / 814)),
        ])
    }

    var count: Int { seriesCount * periods.count }

    /// The observation at `index` in round `round`: in each later round a stable 1% of the
    /// figures are revised.
    func observation(_ index: Int, round: Int = 0, dataset: String = "TRADE") -> Observation {
        let s = index / periods.count
        let p = index % periods.count
        var value = (s &* 7919 &+ p &* 104_729) % 1_000_000
        if round > 0 && index % 100 == round % 100 { value += round }
        return Observation(
            dataset: dataset, series: series[s], period: periods[p], value: String(value), unit: "USD",
            status: p >= periods.count - 3 ? "P" : "A")
    }

    func all(round: Int = 0) -> [Observation] {
        (0..<count).map { observation($0, round: round) }
    }
}
