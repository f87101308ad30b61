public import Foundation
import TradeWatchModel

/// Reads SDMX-JSON data messages, 1.0 (`{header, dataSets, structure}`) and 2.0
/// (`{meta, data: {dataSets, structures}}`), series-grouped or flat. Positions in keys and
/// attribute arrays are resolved against the message's own structure section.
public enum SDMXJSONReader {
    /// Reads a message held in memory.
    public static func read(_ data: Data, dataset: String, into output: StatisticsOutput) throws -> StatisticsSummary {
        try read(dataset: dataset, into: output) { feed in try feed(data) }
    }

    /// Reads a message streamed in chunks, in bounded memory: `chunks` is called twice and
    /// must hand over the whole message each time. The first pass keeps only the small parts
    /// (the structure, errors, each data set's action and attributes) — SDMX-JSON puts the
    /// structure after the data sets, and keys are positions in it — and the second streams
    /// the observations out, one series at a time.
    public static func read(
        dataset: String, into output: StatisticsOutput, chunks: ((Data) throws -> Void) throws -> Void
    ) throws -> StatisticsSummary {
        try read(naming: { _ in dataset }, into: output, chunks: chunks)
    }

    /// Reads a streamed message (see above), storing each data set's observations under the
    /// dataset id `naming` gives for what its structure references (the `dataflow` and
    /// `datastructure` links).
    public static func read(
        naming: (SDMXReference) -> String, into output: StatisticsOutput,
        chunks: ((Data) throws -> Void) throws -> Void
    ) throws -> StatisticsSummary {
        let outline = Outline()
        try pass(outline, chunks)
        if let errors = outline.errors as? [[String: Any]], !errors.isEmpty {
            let text = errors.map { ($0["message"] as? String) ?? ($0["title"] as? String) ?? "\($0)" }
            throw StatisticsError(.publisherError, "the service answered with errors: \(text.joined(separator: "; "))")
        }
        guard outline.isObject else { throw StatisticsError(.malformed, "expected a JSON object") }
        guard outline.hasDataSets else {
            throw StatisticsError(.malformed, "not an SDMX-JSON data message (no dataSets)")
        }
        guard !outline.structures.isEmpty else {
            throw StatisticsError(.malformed, "the message has no structure section")
        }
        var structures: [Int: Structure] = [:]
        var datasets: [Int: String] = [:]
        for (index, meta) in outline.dataSets {
            let structureIndex: Int
            if let given = meta["structure"] {
                // Any number the message holds, checked before it is used as an index.
                guard let position = JSONScalar.int(given), outline.structures.indices.contains(position) else {
                    throw StatisticsError(
                        .malformed,
                        "refers to a structure the message does not have (it has \(outline.structures.count))",
                        place: "dataSets[\(index)]")
                }
                structureIndex = position
            } else {
                structureIndex = 0
            }
            let structure = outline.structures[structureIndex]
            structures[index] = Structure(structure)
            datasets[index] = naming(SDMXReference(links: structure["links"]))
        }
        let repeated = RepeatedKeys()
        let reader = DataPass(
            datasets: datasets, output: output.noting(repeated), outline: outline, structures: structures)
        try pass(reader, chunks)
        var summary = reader.summary
        summary.append(repeated)
        return summary
    }

    private static func pass(_ handler: any JSONEventHandler, _ chunks: ((Data) throws -> Void) throws -> Void) throws {
        let reader = JSONEventReader(handler: handler)
        do {
            try chunks { try reader.feed($0) }
            try reader.finish()
        } catch let error as StatisticsError where handler is Outline {
            // The first pass reads every byte: a syntax error shows there.
            throw StatisticsError(.malformed, "not valid JSON: \(error.message)")
        }
    }

    /// Where the data sets are: `dataSets` (1.0) or `data.dataSets` (2.0).
    static func dataSetsPrefix(_ path: [JSONPathItem]) -> Int? {
        if path.count >= 1, path[0] == .key("dataSets") { return 1 }
        if path.count >= 2, path[0] == .key("data"), path[1] == .key("dataSets") { return 2 }
        return nil
    }

    /// The first pass: everything but the observations, as Foundation values.
    final class Outline: JSONEventHandler {
        var isObject = false
        var hasDataSets = false
        var errors: Any?
        var structures: [[String: Any]] = []
        /// Per data set index: its `action`, `structure` and `attributes` members.
        var dataSets: [Int: [String: Any]] = [:]
        private var builder = JSONValueBuilder()

        private func wanted(_ path: [JSONPathItem]) -> Bool {
            switch path.count {
            case 1: return [.key("errors"), .key("structure")].contains(path[0])
            case 2: return path[0] == .key("data") && [.key("structure"), .key("structures")].contains(path[1])
            default:
                guard let prefix = SDMXJSONReader.dataSetsPrefix(path), path.count == prefix + 2,
                    case .key(let member) = path[prefix + 1]
                else { return false }
                return member == "action" || member == "structure" || member == "attributes"
            }
        }

        func jsonStart(object: Bool, path: [JSONPathItem]) throws {
            if path.isEmpty { isObject = object }
            if let prefix = SDMXJSONReader.dataSetsPrefix(path), path.count == prefix {
                hasDataSets = true
            }
            if let prefix = SDMXJSONReader.dataSetsPrefix(path), path.count == prefix + 1,
                case .index(let i) = path[prefix]
            {
                dataSets[i] = dataSets[i] ?? [:]
            }
            guard builder.isBuilding || wanted(path) else { return }
            builder.begin(object: object)
        }

        func jsonEnd(object: Bool, path: [JSONPathItem]) throws {
            guard builder.isBuilding, let value = builder.end(path: path) else { return }
            store(value, path)
        }

        func jsonScalar(_ value: JSONScalarValue, path: [JSONPathItem]) throws {
            if builder.isBuilding {
                builder.add(Self.foundation(value), path: path)
            } else if wanted(path) {
                store(Self.foundation(value), path)
            }
        }

        private func store(_ value: Any, _ path: [JSONPathItem]) {
            switch path.count {
            case 1 where path[0] == .key("errors"):
                errors = value
            case 1, 2:
                if let list = value as? [[String: Any]] {
                    structures = list
                } else if let single = value as? [String: Any], structures.isEmpty {
                    structures = [single]
                }
            default:
                guard let prefix = SDMXJSONReader.dataSetsPrefix(path), case .index(let i) = path[prefix],
                    case .key(let member) = path[prefix + 1]
                else { return }
                dataSets[i, default: [:]][member] = value
            }
        }

        static func foundation(_ value: JSONScalarValue) -> Any {
            switch value {
            case .string(let text): return text
            case .number(let text):
                if let int = Int(text) { return NSNumber(value: int) }
                return NSNumber(value: Double(text) ?? .nan)
            case .bool(let flag): return NSNumber(value: flag)
            case .null: return NSNull()
            }
        }
    }

    /// The second pass: observations, emitted as each series ends (a series' attributes may
    /// come after its observations, so one series is held at a time).
    final class DataPass: JSONEventHandler {
        /// The dataset id of each data set's observations.
        let datasets: [Int: String]
        let output: StatisticsOutput
        let structures: [Int: Structure]
        var summary = StatisticsSummary()
        /// Fixed once read (`let`: no access to check at run time).
        private let deleting: [Int: Bool]
        private let setAttributes: [Int: [String: String]]

        private var seriesKey: String?
        private var seriesAttributes: [Any]?
        private var pending: [(key: String, values: [JSONScalarValue])] = []
        private var values: [JSONScalarValue] = []
        private var attributeValues: [Any] = []

        init(datasets: [Int: String], output: StatisticsOutput, outline: Outline, structures: [Int: Structure]) {
            self.datasets = datasets
            self.output = output
            self.structures = structures
            var deleting: [Int: Bool] = [:]
            var setAttributes: [Int: [String: String]] = [:]
            for (index, meta) in outline.dataSets {
                deleting[index] =
                    ((meta["action"] as? String) ?? "Replace").caseInsensitiveCompare("Delete") == .orderedSame
                if let structure = structures[index] {
                    setAttributes[index] = structure.resolve(
                        meta["attributes"] as? [Any], level: structure.dataSetAttributes)
                }
            }
            self.deleting = deleting
            self.setAttributes = setAttributes
        }

        /// Where `path` is inside data set `index`: the members below it.
        private func locate(_ path: [JSONPathItem]) -> (index: Int, rest: ArraySlice<JSONPathItem>)? {
            guard let prefix = SDMXJSONReader.dataSetsPrefix(path), path.count > prefix,
                case .index(let index) = path[prefix]
            else { return nil }
            return (index, path[(prefix + 1)...])
        }

        func jsonStart(object: Bool, path: [JSONPathItem]) throws {
            guard let (_, rest) = locate(path) else { return }
            let r = Array(rest)
            if r.count == 2, r[0] == .key("series"), case .key(let key) = r[1], object {
                seriesKey = key
                seriesAttributes = nil
                pending = []
            } else if r.count == 3 && r[0] == .key("series") && r[2] == .key("attributes") && !object {
                attributeValues = []
            } else if (r.count == 4 && r[0] == .key("series") && r[2] == .key("observations"))
                || (r.count == 2 && r[0] == .key("observations")), !object
            {
                values = []
            }
        }

        func jsonScalar(_ value: JSONScalarValue, path: [JSONPathItem]) throws {
            guard let (_, rest) = locate(path) else { return }
            let r = Array(rest)
            // Appended as locals taken out of the properties (see `take`): no access to them
            // spans a call into the standard library, so none needs a run-time check.
            if (r.count == 5 && r[0] == .key("series") && r[2] == .key("observations"))
                || (r.count == 3 && r[0] == .key("observations"))
            {
                var values = take(&self.values, leaving: [])
                values.append(value)
                self.values = values
            } else if r.count == 4 && r[0] == .key("series") && r[2] == .key("attributes") {
                let item = Outline.foundation(value)
                var attributeValues = take(&self.attributeValues, leaving: [])
                attributeValues.append(item)
                self.attributeValues = attributeValues
            }
        }

        func jsonEnd(object: Bool, path: [JSONPathItem]) throws {
            guard let (index, rest) = locate(path), let structure = structures[index] else { return }
            let r = Array(rest)
            if r.count == 4, r[0] == .key("series"), r[2] == .key("observations"), case .key(let key) = r[3] {
                let observed = values
                var pending = take(&self.pending, leaving: [])
                pending.append((key, observed))
                self.pending = pending
            } else if r.count == 3, r[0] == .key("series"), r[2] == .key("attributes") {
                seriesAttributes = attributeValues
            } else if r.count == 2, r[0] == .key("series"), let seriesKey {
                let dimensions = try structure.dimensions(seriesKey, level: structure.seriesDimensions)
                var base = setAttributes[index] ?? [:]
                base.merge(structure.resolve(seriesAttributes, level: structure.seriesAttributes)) { _, new in new }
                for (key, values) in pending {
                    let observationDimensions = try structure.dimensions(key, level: structure.observationDimensions)
                    let (period, rest) = structure.splitPeriod(observationDimensions)
                    try emit(
                        structure, index: index, structure.dataSetDimensions + dimensions + rest, period: period,
                        values: values, base: base)
                }
                pending = []
                self.seriesKey = nil
            } else if r.count == 2, r[0] == .key("observations"), case .key(let key) = r[1] {
                let dimensions = try structure.dimensions(
                    key, level: structure.seriesDimensions + structure.observationDimensions)
                let (period, rest) = structure.splitPeriod(dimensions)
                try emit(
                    structure, index: index, structure.dataSetDimensions + rest, period: period, values: values,
                    base: setAttributes[index] ?? [:])
            }
        }

        private func emit(
            _ structure: Structure, index: Int, _ dimensions: [SeriesKey.Dimension], period: String?,
            values: [JSONScalarValue], base: [String: String]
        ) throws {
            guard let period else {
                var warnings = take(&summary.warnings, leaving: [])  // see `take`
                warnings.append("an observation without a time period was skipped")
                summary.warnings = warnings
                return
            }
            let key = SeriesKey(structure.ordered(dimensions))
            let dataset = datasets[index] ?? "sdmx"
            if deleting[index] == true {
                try output.delete(ObservationKey(dataset: dataset, series: key.canonical, period: period))
                summary.deletions += 1
                return
            }
            var attributes = base
            attributes.merge(
                structure.resolve(values.dropFirst().map(Outline.foundation), level: structure.observationAttributes)
            ) { _, new in new }
            let unit = attributes.removeValue(forKey: "UNIT_MEASURE") ?? attributes.removeValue(forKey: "UNIT")
            let multiplier = attributes.removeValue(forKey: "UNIT_MULT").flatMap { Int($0) }
            let status = attributes.removeValue(forKey: "OBS_STATUS")
            try output.add(
                Observation(
                    dataset: dataset, series: key, period: Period(period),
                    value: values.first.flatMap { SDMXJSONReader.valueText(Outline.foundation($0)) },
                    unit: unit, unitMultiplier: multiplier, status: status, attributes: attributes))
            summary.observations += 1
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
