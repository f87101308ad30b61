import TradeWatchCache
import TradeWatchModel

/// The layout of one dataset's table: the series key, then a code and a label column per
/// dimension, then the observation's fields as `observations.*` has them.
///
/// Dimensions come in key order: the structure's when the cache has one, then any other
/// dimension the exported keys use, in the order the rows first show it. A column name is the
/// dimension id (its `_label` twin for the name); an id that is not a plain SDMX id
/// (`[A-Za-z0-9_@$-]`), or that would repeat another column (in any case: SQLite column names
/// ignore it), is changed and numbered, and its field description keeps the id.
struct DatasetTable {
    struct Dimension {
        /// The id in the series keys.
        var id: String
        var codeColumn: String
        var labelColumn: String
        var codeDescription: String
        var labelDescription: String
    }

    var id: DatasetID
    /// The files' name without extension, and the SQLite table's name.
    var stem: String
    var title: String?
    var structureReference: String?
    var dimensions: [Dimension]

    /// The columns before the dimensions.
    static let keyFields: [DataPackage.Field] = Array(SnapshotExporter.observationFields.prefix(3))
    /// The columns after them: `period` to `from_rev`.
    static let observationFields: [DataPackage.Field] = Array(SnapshotExporter.observationFields.dropFirst(3))

    init(id: DatasetID, stem: String, structure: DatasetStructure?, keyDimensions: [String]) {
        self.id = id
        self.stem = stem
        self.title = structure?.names.preferred
        self.structureReference = structure?.reference
        var taken = Set((Self.keyFields + Self.observationFields).map { $0.name.lowercased() })
        func claim(_ wanted: String) -> String {
            var name = wanted
            var number = 2
            while taken.contains(name.lowercased()) {
                name = wanted + "_" + String(number)
                number += 1
            }
            taken.insert(name.lowercased())
            return name
        }
        let declared = structure?.dimensions ?? []
        var seen = Set<String>()
        var ids: [(String, DatasetStructure.Component?)] = []
        for component in declared where seen.insert(component.id).inserted { ids.append((component.id, component)) }
        for id in keyDimensions where seen.insert(id).inserted { ids.append((id, nil)) }
        dimensions = ids.map { id, component in
            let code = claim(Self.columnName(id))
            let label = claim(code + "_label")
            return Dimension(
                id: id, codeColumn: code, labelColumn: label,
                codeDescription: Self.codeDescription(id: id, component: component, structure: structure != nil),
                labelDescription: "the name of the \(id) code (English when given); empty when none is stored")
        }
    }

    /// Every column, in order, with the descriptions `datapackage.json` gives.
    var fields: [DataPackage.Field] {
        Self.keyFields
            + dimensions.flatMap {
                [
                    DataPackage.Field(name: $0.codeColumn, type: "string", description: $0.codeDescription),
                    DataPackage.Field(name: $0.labelColumn, type: "string", description: $0.labelDescription),
                ]
            } + Self.observationFields
    }

    var columnNames: [String] { fields.map(\.name) }

    private static func codeDescription(
        id: String, component: DatasetStructure.Component?, structure: Bool
    ) -> String {
        var text = "dimension \(id)"
        guard let component else {
            return text
                + (structure ? " (in the series keys, not in the dataset's structure)" : " (no structure stored)")
        }
        if let concept = component.names.preferred { text += ": " + concept }
        if let codelist = component.codelist { text += " (codelist \(codelist))" }
        return text
    }

    /// `id` as a column name: SDMX id characters kept, any other character `_`.
    private static func columnName(_ id: String) -> String {
        var name = ""
        for scalar in id.unicodeScalars {
            let kept =
                ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || "_@$-".unicodeScalars.contains(scalar)
            name.unicodeScalars.append(kept ? scalar : "_")
            if name.utf8.count >= 120 { break }
        }
        return name.isEmpty ? "_" : name
    }

    /// One series' dimension cells, in column order: code, then label (nil when empty).
    func cells(key: String, labels: DatasetLabels) -> [String?] {
        let parsed = SeriesKey(canonical: key)?.dimensions ?? []
        var values = [String: String]()
        for dimension in parsed where values[dimension.id] == nil { values[dimension.id] = dimension.value }
        var cells = [String?]()
        cells.reserveCapacity(dimensions.count * 2)
        for dimension in dimensions {
            let code = values[dimension.id]
            cells.append(code)
            cells.append(code.flatMap { labels.name(component: dimension.id, code: $0) })
        }
        return cells
    }
}

/// Collects, while rows stream past, each dataset's dimension ids in the order the keys first
/// show them: the dimensions a table needs beyond its structure's.
struct DatasetDimensionCollector {
    private(set) var order: [DatasetID] = []
    private(set) var dimensions: [DatasetID: [String]] = [:]
    private var seen: [DatasetID: Set<String>] = [:]
    private var series = SeriesTracker()
    private var last: (id: DatasetID, key: String)?

    /// Notes one text row's series (cheap when it is the previous row's).
    mutating func add(_ row: ObservationTextRow) {
        if series.changed(row.text(0), row.text(1), row.text(2)) { note(series.id, key: series.key) }
    }

    /// Notes one row's series (cheap when it is the previous row's).
    mutating func add(_ observation: ObservationVersion) {
        let id = DatasetID(source: observation.source, dataset: observation.dataset)
        if let last, last.key == observation.series, last.id == id { return }
        last = (id, observation.series)
        note(id, key: observation.series)
    }

    /// Notes one series by its ids (an export's layout from the series list, before the rows).
    mutating func add(_ id: DatasetID, key: String) { note(id, key: key) }

    /// Whether both saw the same datasets, in the same order, with the same dimensions.
    func sameLayout(as other: DatasetDimensionCollector) -> Bool {
        order == other.order && dimensions == other.dimensions
    }

    private mutating func note(_ id: DatasetID, key: String) {
        if seen[id] == nil {
            order.append(id)
            seen[id] = []
            dimensions[id] = []
        }
        for dimension in SeriesKey(canonical: key)?.dimensions ?? []
        where seen[id]?.insert(dimension.id).inserted == true {
            dimensions[id, default: []].append(dimension.id)
        }
    }
}
