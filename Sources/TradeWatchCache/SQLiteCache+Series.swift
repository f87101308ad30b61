import GRDB
public import TradeWatchModel

extension SQLiteCache {
    /// The series a query selects, by source, dataset and key, each with its labelled key,
    /// its current periods and the last revision that touched its figures. Series are chosen
    /// through the series index; only those listed are then read.
    public func series(_ query: SeriesQuery) throws -> [SeriesSummary] {
        let filter = RowFilter(
            sources: query.sources, dataset: query.dataset, keyGlob: query.keyGlob, dimensions: query.dimensions,
            words: query.words)
        let (clause, arguments) = Self.filterSQL(filter, table: "o")
        var sql = """
            SELECT se.id, se.source_id, s.name, se.dataset, se.series_key FROM series se
            JOIN source s ON s.id = se.source_id WHERE 1 \(clause)
            ORDER BY s.name, se.dataset, se.series_key
            """
        if let limit = query.limit { sql += " LIMIT \(max(0, limit))" }
        return try read { db in
            let selected = try Row.fetchAll(db, sql: sql, arguments: arguments)
            var labels = CurrentLabels(db)
            let versions = RawStatement(
                try db.cachedStatement(
                    sql: "SELECT period, period_start, from_rev, to_rev FROM observation WHERE series_id = ?"),
                in: db)
            defer { versions.reset() }  // a statement left on a row would pin this reader's snapshot
            var summaries: [SeriesSummary] = []
            summaries.reserveCapacity(selected.count)
            for row in selected {
                let (seriesID, sourceID, source, dataset, key): (Int64, Int64, String, String, String) = (
                    row[0], row[1], row[2], row[3], row[4]
                )
                guard query.summaries else {
                    summaries.append(
                        SeriesSummary(
                            source: source, dataset: dataset, key: key, dimensions: [], periods: 0, firstPeriod: nil,
                            lastPeriod: nil, lastRevision: nil))
                    continue
                }
                var dimensions: [SeriesSummary.Dimension] = []
                for dimension in SeriesIndex.dimensions(of: key) {
                    let stored = try labels.labels(
                        sourceID: sourceID, dataset: dataset, component: dimension.id, code: dimension.value)
                    dimensions.append(
                        SeriesSummary.Dimension(
                            id: dimension.id, code: dimension.value,
                            name: DatasetLabels(stored).name(component: dimension.id, code: dimension.value)))
                }
                var span = PeriodSpan()
                versions.reset()
                versions.bind(1, seriesID)
                while try versions.step() {
                    span.note(
                        period: versions.string(0) ?? "", start: versions.string(1), from: versions.int64(2),
                        to: versions.optionalInt64(3))
                }
                summaries.append(
                    SeriesSummary(
                        source: source, dataset: dataset, key: key, dimensions: dimensions, periods: span.current,
                        firstPeriod: span.first?.period, lastPeriod: span.last?.period, lastRevision: span.lastRevision)
                )
            }
            return summaries
        }
    }
}

/// The current periods of one series, first and last in reading order (period start, with
/// none first, then period text, as `forEachObservation` orders them), and the newest
/// revision that opened or closed one of its versions.
private struct PeriodSpan {
    struct Point {
        var start: String?
        var period: String

        func precedes(_ other: Point) -> Bool {
            switch (start, other.start) {
            case (nil, nil): return period.utf8.lexicographicallyPrecedes(other.period.utf8)
            case (nil, _?): return true
            case (_?, nil): return false
            case let (a?, b?):
                return a == b
                    ? period.utf8.lexicographicallyPrecedes(other.period.utf8)
                    : a.utf8.lexicographicallyPrecedes(b.utf8)
            }
        }
    }

    var current = 0
    var first: Point?
    var last: Point?
    var lastRevision: Int64?

    mutating func note(period: String, start: String?, from: Int64, to: Int64?) {
        lastRevision = max(lastRevision ?? from, from, to ?? from)
        guard to == nil else { return }
        current += 1
        let point = Point(start: start, period: period)
        if first.map({ point.precedes($0) }) ?? true { first = point }
        if last.map({ $0.precedes(point) }) ?? true { last = point }
    }
}
