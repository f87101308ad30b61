import TradeWatchFormats
import TradeWatchModel

/// What `inspect` counted in a statistics message (the table form, and `parsed.summary`).
struct StatisticsTally {
    var datasets = 0
    var series = 0
    var observations = 0
    var deletions = 0
    var firstPeriod: Period?
    var lastPeriod: Period?
}

/// Receives a reader's observations one at a time (the `StatisticsOutput` the daemon's
/// decoder fills) and writes them as `inspect`'s `datasets` array while they arrive:
/// consecutive records of one dataset id and action make a dataset, records of one key a
/// series. Only the open series are held, at most `bufferLimit` records; past that every
/// series but the one being read is written out (a message that interleaves series beyond
/// that may show a key twice).
///
/// Attributes: a series gets those every one of its observations carries (the readers merge
/// dataset-, series- and observation-level attributes into each observation); an observation
/// keeps the rest; a dataset lists those every series carries. The unit and unit multiplier
/// appear as `UNIT_MEASURE` and `UNIT_MULT`.
final class StatisticsStream {
    static let bufferLimit = 10_000

    private struct Record {
        var period: Period
        var value: String?
        var status: String?
        var attributes: [String: String]
    }

    private struct OpenSeries {
        var key: SeriesKey
        var records: [Record]
    }

    /// Where the JSON goes (standard output, buffered); nil when only counting (the table form).
    private var out: OutputBuffer?
    private let indent: String
    private(set) var tally = StatisticsTally()
    private var dataset: (id: String, action: String)?
    private var datasetAttributes: [String: String]?
    private var seriesInDataset = 0
    private var open: [OpenSeries] = []
    private var openIndex: [String: Int] = [:]
    private var buffered = 0
    /// Keys seen so far, per dataset id: the count of distinct series.
    private var seen: Set<String> = []

    /// - Parameters:
    ///   - json: write the JSON; else only count.
    ///   - indent: the indentation of the `datasets` array's items.
    init(json: Bool, indent: String = "      ") {
        out = json ? OutputBuffer() : nil
        self.indent = indent
    }

    /// Writes `text` as it is, when writing JSON: the document around the datasets.
    func emit(_ text: String) {
        out?.write(text)
    }

    /// The output to hand to the decoder.
    var output: StatisticsOutput {
        StatisticsOutput(
            add: { [self] observation in add(observation) }, delete: { [self] key in delete(key) })
    }

    func add(_ observation: Observation) {
        enter(observation.dataset, action: "Replace")
        var attributes = observation.attributes
        if let unit = observation.unit { attributes["UNIT_MEASURE"] = unit }
        if let multiplier = observation.unitMultiplier { attributes["UNIT_MULT"] = String(multiplier) }
        tally.observations += 1
        record(
            observation.series,
            Record(
                period: observation.period, value: observation.value, status: observation.status,
                attributes: attributes))
    }

    func delete(_ key: ObservationKey) {
        enter(key.dataset, action: "Delete")
        tally.deletions += 1
        let series = SeriesKey(canonical: key.series) ?? SeriesKey([.init(id: "KEY", value: key.series)])
        record(series, Record(period: Period(key.period), value: nil, status: nil, attributes: [:]))
    }

    /// Writes what is still open. Call once the reader is done, or failed.
    func finish() {
        closeDataset()
        out?.flush()
    }

    private func enter(_ id: String, action: String) {
        if let dataset, dataset.id == id, dataset.action == action { return }
        closeDataset()
        dataset = (id, action)
        datasetAttributes = nil
        seriesInDataset = 0
        tally.datasets += 1
        out?.write(
            (tally.datasets > 1 ? "," : "") + "\n" + indent + "{\"id\":" + JSONText.quoted(id) + ",\"action\":"
                + JSONText.quoted(action) + ",\"series\":[")
    }

    private func record(_ key: SeriesKey, _ record: Record) {
        if record.period.isRecognised {
            if tally.firstPeriod.map({ record.period < $0 }) ?? true { tally.firstPeriod = record.period }
            if tally.lastPeriod.map({ $0 < record.period }) ?? true { tally.lastPeriod = record.period }
        }
        if let index = openIndex[key.canonical] {
            open[index].records.append(record)
        } else {
            openIndex[key.canonical] = open.count
            open.append(OpenSeries(key: key, records: [record]))
            if seen.insert((dataset?.id ?? "") + "\u{0}" + key.canonical).inserted { tally.series += 1 }
        }
        buffered += 1
        if buffered >= Self.bufferLimit { writeOpen(keeping: key.canonical) }
    }

    private func closeDataset() {
        guard dataset != nil else { return }
        writeOpen(keeping: nil)
        out?.write(
            "\n" + indent + "],\"attributes\":" + JSONText.sortedObject(datasetAttributes ?? [:]) + "}")
        dataset = nil
    }

    /// Writes every open series but `kept` (the one the reader is in the middle of).
    private func writeOpen(keeping kept: String?) {
        var remaining: [OpenSeries] = []
        for series in open {
            if series.key.canonical == kept {
                remaining.append(series)
            } else {
                write(series)
            }
        }
        open = remaining
        openIndex = Dictionary(uniqueKeysWithValues: remaining.enumerated().map { ($1.key.canonical, $0) })
        buffered = remaining.reduce(0) { $0 + $1.records.count }
    }

    private func write(_ series: OpenSeries) {
        var shared = series.records.first?.attributes ?? [:]
        for record in series.records.dropFirst() where !shared.isEmpty {
            shared = shared.filter { record.attributes[$0.key] == $0.value }
        }
        datasetAttributes = datasetAttributes.map { $0.filter { shared[$0.key] == $0.value } } ?? shared
        guard out != nil else { return }
        var text = (seriesInDataset > 0 ? "," : "") + "\n" + indent + "  {\"key\":"
        text += JSONText.object(series.key.dimensions.map { ($0.id, $0.value) as (String, String?) })
        text += ",\"attributes\":" + JSONText.sortedObject(shared) + ",\"observations\":["
        for (index, record) in series.records.enumerated() {
            if index > 0 { text += "," }
            text += "{\"period\":" + JSONText.quoted(record.period.text)
            text += ",\"value\":" + (record.value.map(JSONText.quoted) ?? "null")
            text += ",\"status\":" + (record.status.map(JSONText.quoted) ?? "null")
            text += ",\"attributes\":" + JSONText.sortedObject(record.attributes.filter { shared[$0.key] == nil })
            text += "}"
        }
        text += "]}"
        seriesInDataset += 1
        out?.write(text)
    }
}
