public import Foundation
import TradeWatchModel

/// Reads SDMX-JSON data messages, 1.0 (`{header, dataSets, structure}`) and 2.0
/// (`{meta, data: {dataSets, structures}}`), series-grouped or flat. Positions in keys and
/// attribute arrays are resolved against the message's own structure section.
public enum SDMXJSONReader {
    public static func read(_ data: Data, dataset: String, into output: StatisticsOutput) throws -> StatisticsSummary {
        let root: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw StatisticsError(.malformed, "expected a JSON object")
            }
            root = object
        } catch let error as StatisticsError {
            throw error
        } catch {
            throw StatisticsError(.malformed, "not valid JSON: \(error.localizedDescription)")
        }
        if let errors = root["errors"] as? [[String: Any]], !errors.isEmpty {
            let text = errors.map { ($0["message"] as? String) ?? ($0["title"] as? String) ?? "\($0)" }
            throw StatisticsError(.publisherError, "the service answered with errors: \(text.joined(separator: "; "))")
        }
        let body = (root["data"] as? [String: Any]) ?? root
        guard let dataSets = body["dataSets"] as? [[String: Any]] else {
            throw StatisticsError(.malformed, "not an SDMX-JSON data message (no dataSets)")
        }
        let structures: [[String: Any]]
        if let list = body["structures"] as? [[String: Any]] {
            structures = list
        } else if let single = (body["structure"] as? [String: Any]) ?? (root["structure"] as? [String: Any]) {
            structures = [single]
        } else {
            throw StatisticsError(.malformed, "the message has no structure section")
        }
        var summary = StatisticsSummary()
        for (index, set) in dataSets.enumerated() {
            let structureIndex = JSONScalar.int(set["structure"]) ?? 0
            guard structureIndex < structures.count else {
                throw StatisticsError(.malformed, "refers to structure \(structureIndex)", place: "dataSets[\(index)]")
            }
            let structure = Structure(structures[structureIndex])
            try readDataSet(
                set, index: index, structure: structure, dataset: dataset, summary: &summary, output: output)
        }
        return summary
    }

    private static func readDataSet(
        _ set: [String: Any], index: Int, structure: Structure, dataset: String, summary: inout StatisticsSummary,
        output: StatisticsOutput
    ) throws {
        let deleting = ((set["action"] as? String) ?? "Replace").caseInsensitiveCompare("Delete") == .orderedSame
        let setAttributes = structure.resolve(set["attributes"] as? [Any], level: structure.dataSetAttributes)
        func emit(_ dimensions: [SeriesKey.Dimension], period: String?, values: [Any], base: [String: String]) throws {
            guard let period else {
                summary.warnings.append("an observation without a time period was skipped")
                return
            }
            let key = SeriesKey(structure.ordered(dimensions))
            if deleting {
                try output.delete(ObservationKey(dataset: dataset, series: key.canonical, period: period))
                summary.deletions += 1
                return
            }
            var attributes = base
            attributes.merge(
                structure.resolve(Array(values.dropFirst()), level: structure.observationAttributes)
            ) { _, new in new }
            let unit = attributes.removeValue(forKey: "UNIT_MEASURE") ?? attributes.removeValue(forKey: "UNIT")
            let multiplier = attributes.removeValue(forKey: "UNIT_MULT").flatMap { Int($0) }
            let status = attributes.removeValue(forKey: "OBS_STATUS")
            try output.add(
                Observation(
                    dataset: dataset, series: key, period: Period(period), value: values.first.flatMap(valueText),
                    unit: unit, unitMultiplier: multiplier, status: status, attributes: attributes))
            summary.observations += 1
        }

        if let series = set["series"] as? [String: Any] {
            for (seriesKey, content) in series.sorted(by: { $0.key < $1.key }) {
                guard let content = content as? [String: Any] else { continue }
                let dimensions = try structure.dimensions(seriesKey, level: structure.seriesDimensions)
                var base = setAttributes
                base.merge(structure.resolve(content["attributes"] as? [Any], level: structure.seriesAttributes)) {
                    _, new in new
                }
                for (observationKey, values) in (content["observations"] as? [String: Any] ?? [:]) {
                    let observationDimensions = try structure.dimensions(
                        observationKey, level: structure.observationDimensions)
                    let (period, rest) = structure.splitPeriod(observationDimensions)
                    try emit(
                        structure.dataSetDimensions + dimensions + rest, period: period, values: values as? [Any] ?? [],
                        base: base)
                }
            }
        } else if let observations = set["observations"] as? [String: Any] {
            for (observationKey, values) in observations {
                let dimensions = try structure.dimensions(
                    observationKey, level: structure.seriesDimensions + structure.observationDimensions)
                let (period, rest) = structure.splitPeriod(dimensions)
                try emit(
                    structure.dataSetDimensions + rest, period: period, values: values as? [Any] ?? [],
                    base: setAttributes)
            }
        }
    }

    static func valueText(_ value: Any) -> String? {
        switch value {
        case is NSNull: return nil
        case let string as String: return string.isEmpty || string == "NaN" ? nil : string
        case let number as NSNumber where !JSONScalar.isBool(value):
            let double = number.doubleValue
            if double.isNaN { return nil }
            if double == double.rounded(), abs(double) < 1e15 { return String(Int64(double)) }
            return "\(double)"
        default: return nil
        }
    }

    /// The structure section: components with their value lists, by level.
    struct Structure {
        struct Component {
            var id: String
            var keyPosition: Int?
            var values: [String]
        }

        var dataSetDimensions: [SeriesKey.Dimension] = []
        var seriesDimensions: [Component] = []
        var observationDimensions: [Component] = []
        var dataSetAttributes: [Component] = []
        var seriesAttributes: [Component] = []
        var observationAttributes: [Component] = []
        var positions: [String: Int] = [:]

        init(_ structure: [String: Any]) {
            let dimensions = structure["dimensions"] as? [String: Any] ?? [:]
            let attributes = structure["attributes"] as? [String: Any] ?? [:]
            func components(_ list: Any?) -> [Component] {
                (list as? [[String: Any]] ?? []).map { item in
                    Component(
                        id: item["id"] as? String ?? "?", keyPosition: JSONScalar.int(item["keyPosition"]),
                        values: (item["values"] as? [[String: Any]] ?? []).map(Self.valueID))
                }
            }
            let dataSetLevel = components(dimensions["dataSet"])
            dataSetDimensions = dataSetLevel.compactMap { component in
                component.values.first.map { SeriesKey.Dimension(id: component.id, value: $0) }
            }
            seriesDimensions = components(dimensions["series"])
            observationDimensions = components(dimensions["observation"])
            dataSetAttributes = components(attributes["dataSet"])
            seriesAttributes = components(attributes["series"])
            observationAttributes = components(attributes["observation"])
            for component in dataSetLevel + seriesDimensions + observationDimensions {
                if let position = component.keyPosition { positions[component.id] = position }
            }
        }

        private static func valueID(_ value: [String: Any]) -> String {
            if let id = value["id"] as? String { return id }
            if let name = value["name"] as? String { return name }
            if let names = value["names"] as? [String: String] { return names["en"] ?? names.values.first ?? "" }
            if let value = value["value"] { return "\(value)" }
            return ""
        }

        /// `0:3:1` → the dimensions at those value positions.
        func dimensions(_ key: String, level: [Component]) throws -> [SeriesKey.Dimension] {
            let parts = key.isEmpty ? [] : key.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == level.count else {
                throw StatisticsError(
                    .malformed, "key \"\(key)\" has \(parts.count) positions, the structure \(level.count)")
            }
            return try zip(parts, level).map { part, component in
                guard let index = Int(part), index >= 0, index < component.values.count else {
                    throw StatisticsError(.malformed, "key \"\(key)\": no value \(part) for \(component.id)")
                }
                return SeriesKey.Dimension(id: component.id, value: component.values[index])
            }
        }

        /// Attribute positions (`[0, null, 2]`) → id: value.
        func resolve(_ indexes: [Any]?, level: [Component]) -> [String: String] {
            var out: [String: String] = [:]
            for (position, raw) in (indexes ?? []).enumerated() where position < level.count {
                guard let index = JSONScalar.int(raw) else { continue }
                let component = level[position]
                if index >= 0, index < component.values.count { out[component.id] = component.values[index] }
            }
            return out
        }

        /// The time dimension's value and the other dimensions.
        func splitPeriod(_ dimensions: [SeriesKey.Dimension]) -> (String?, [SeriesKey.Dimension]) {
            var period: String?
            var rest: [SeriesKey.Dimension] = []
            for dimension in dimensions {
                if dimension.id == "TIME_PERIOD" || dimension.id == "TIME" {
                    period = dimension.value
                } else {
                    rest.append(dimension)
                }
            }
            if period == nil, let last = rest.popLast() { period = last.value }
            return (period, rest)
        }

        /// Key order: by `keyPosition` where the structure gives it, else as listed.
        func ordered(_ dimensions: [SeriesKey.Dimension]) -> [SeriesKey.Dimension] {
            guard !positions.isEmpty else { return dimensions }
            return dimensions.enumerated().sorted {
                (positions[$0.element.id] ?? 1000 + $0.offset) < (positions[$1.element.id] ?? 1000 + $1.offset)
            }.map(\.element)
        }
    }
}
