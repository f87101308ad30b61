import TradeWatchModel

/// How `SDMXMLReader` tells a data message's dimensions from its attributes, orders keys and
/// checks them: by the data structure definition when it has one, else by SDMX's usual
/// attribute names (the heuristic). Also collects what the message does that the structure
/// does not expect, for the summary's warnings: a data message that disagrees with its
/// structure is still read.
final class SDMXDataLayout {
    let structure: DatasetStructure?
    /// The heuristic's attribute ids: SDMX's cross-domain ones and those the caller adds.
    let heuristicAttributes: Set<String>
    private let dimensionIndex: [String: Int]
    private let timeDimension: String?
    private let attributeIDs: Set<String>
    private let codes: [String: Set<String>]

    /// A structure-specific component was classified without a structure.
    var usedHeuristic = false
    /// Ids the structure does not define, with whether they were read as attributes.
    private var unknown: [String: Bool] = [:]
    private var missing = Set<String>()
    /// Per dimension, the codes its codelist lacks (the first `namedCodes` of them) and how
    /// many distinct ones there were.
    private var unknownCodes: [String: (named: [String], seen: Set<String>)] = [:]

    static let namedCodes = 5
    /// The most distinct unknown codes remembered per dimension: a hostile message cannot
    /// make the set grow without end.
    static let rememberedCodes = 1000

    init(structure: DatasetStructure?, codes: [String: Set<String>], heuristicAttributes: Set<String>) {
        self.structure = structure
        self.heuristicAttributes = heuristicAttributes
        var index: [String: Int] = [:]
        for (position, dimension) in (structure?.dimensions ?? []).enumerated() where index[dimension.id] == nil {
            index[dimension.id] = position
        }
        dimensionIndex = index
        timeDimension = structure?.timeDimension
        var attributes = Set((structure?.attributes ?? []).map(\.id))
        // A measure named on an XML attribute is a value, never a key part.
        attributes.formUnion((structure?.measures ?? []).map(\.id))
        attributeIDs = attributes
        self.codes = structure == nil ? [:] : codes
    }

    /// Whether a component given as an XML attribute (structure-specific data) is a
    /// dimension, by the structure; nil when there is none or it does not name the id (the
    /// caller then decides by the heuristic, and `noteUnknown` records the decision).
    @inline(__always)
    func isDimension(_ id: String) -> Bool? {
        guard structure != nil else { return nil }
        if dimensionIndex[id] != nil || id == timeDimension { return true }
        if attributeIDs.contains(id) { return false }
        return nil
    }

    /// Records an id the structure does not define (once), with how it was read.
    func noteUnknown(_ id: String, asAttribute: Bool) {
        guard structure != nil, unknown[id] == nil, unknown.count < 100 else { return }
        unknown[id] = asAttribute
    }

    /// The key in the structure's order (ids it does not define keep their order, after the
    /// others), checked against it. Without a structure the key is returned as given.
    func arrange(_ dimensions: [SeriesKey.Dimension]) -> [SeriesKey.Dimension] {
        guard let structure else { return dimensions }
        var known = 0
        var previous = -1
        var ordered = true
        for dimension in dimensions {
            if let position = dimensionIndex[dimension.id] {
                known += 1
                if position < previous { ordered = false }
                previous = position
                if let list = codes[dimension.id], !list.contains(dimension.value) {
                    noteUnknownCode(dimension.id, dimension.value)
                }
            } else {
                if unknown[dimension.id] == nil { noteUnknown(dimension.id, asAttribute: false) }
                previous = Int.max
            }
        }
        if known < structure.dimensions.count {
            let present = Set(dimensions.map(\.id))
            for dimension in structure.dimensions where !present.contains(dimension.id) && missing.count < 100 {
                missing.insert(dimension.id)
            }
        }
        if ordered { return dimensions }
        return dimensions.enumerated()
            .sorted {
                (dimensionIndex[$0.element.id] ?? Int.max, $0.offset) < (
                    dimensionIndex[$1.element.id] ?? Int.max, $1.offset
                )
            }
            .map(\.element)
    }

    private func noteUnknownCode(_ dimension: String, _ code: String) {
        var entry = unknownCodes[dimension] ?? ([], [])
        guard entry.seen.count < Self.rememberedCodes, entry.seen.insert(code).inserted else { return }
        if entry.named.count < Self.namedCodes { entry.named.append(code) }
        unknownCodes[dimension] = entry
    }

    /// What the summary says of how the message's components were read.
    var warnings: [String] {
        guard let structure else {
            return usedHeuristic
                ? [
                    "dimensions were told from attributes without the data structure definition (by SDMX's usual attribute names); keys may differ once it is known"
                ] : []
        }
        let name = structure.reference ?? structure.dataset
        var warnings: [String] = []
        if !missing.isEmpty {
            let ordered = structure.dimensions.map(\.id).filter(missing.contains)
            warnings.append(
                "keys lack \(ordered.count == 1 ? "the dimension" : "the dimensions") \(ordered.joined(separator: ", ")) of the data structure \(name)"
            )
        }
        for (id, asAttribute) in unknown.sorted(by: { $0.key < $1.key }) {
            warnings.append(
                "\(id) is not a component of the data structure \(name); read as \(asAttribute ? "an attribute" : "a dimension")"
            )
        }
        for dimension in structure.dimensions {
            guard let entry = unknownCodes[dimension.id] else { continue }
            let count = entry.seen.count
            var text =
                "\(dimension.id): \(count >= Self.rememberedCodes ? "more than \(count)" : "\(count)") code\(count == 1 ? "" : "s") not in its codelist"
            if let codelist = dimension.codelist { text += " " + codelist }
            text += ": " + entry.named.joined(separator: ", ")
            if count > entry.named.count { text += "…" }
            warnings.append(text)
        }
        return warnings
    }
}

/// The attributes a data set's groups give the series they cover (SDMX-ML `Group`, generic or
/// structure-specific). A group's key is the dimensions it names (given in a generic
/// `GroupKey`; in a structure-specific group, the XML attributes the structure calls
/// dimensions, or without one those the series' key has); a series matches a group when its
/// key has the same values for them. Groups precede series in a data set, so each series is
/// matched once, through an index by the group's dimension ids.
struct SDMXGroups {
    struct Group {
        /// A generic group's key, as given; nil for a structure-specific one.
        var key: [SeriesKey.Dimension]?
        var values: [SeriesKey.Dimension]
    }

    /// The most groups kept per data set.
    static let limit = 100_000

    /// The most distinct sets of dimensions groups are keyed by (a structure declares a few);
    /// the widest beyond it are dropped, so a lookup never walks thousands of shapes.
    static let shapeLimit = 64

    typealias Index = [(ids: [String], groups: [[String]: [String: String]])]

    private var groups: [Group] = []
    /// The index, and the series' dimension ids it was built for.
    private var indexedFor: [String]?
    /// (dimension ids in the group's key, sorted) → (their values in that order) → attributes;
    /// the fewer dimensions, the earlier, so that a narrower group's values win.
    private var index: Index = []
    /// Indexes built for other series shapes, so series that alternate between shapes do not
    /// rebuild it each time (a few kept; cleared when groups change).
    private var built: [[String]: Index] = [:]

    var isEmpty: Bool { groups.isEmpty }

    /// Keeps a group; false when the data set has too many already.
    mutating func add(_ group: Group, layout: SDMXDataLayout) -> Bool {
        guard groups.count < Self.limit else { return false }
        groups.append(group)
        // Groups may come between series: the current index takes the new one in place (a
        // rebuild per series would be quadratic); indexes of other shapes are dropped.
        built = [:]
        if let ids = indexedFor {
            let inSeries = Set(ids)
            if let (shape, values, attributes) = Self.split(group, inSeries: inSeries, layout: layout) {
                if let position = index.firstIndex(where: { $0.ids == shape }) {
                    index[position].groups[values, default: [:]].merge(attributes) { _, later in later }
                } else if index.count < Self.shapeLimit {
                    index.append((ids: shape, groups: [values: attributes]))
                    index.sort {
                        $0.ids.count != $1.ids.count
                            ? $0.ids.count < $1.ids.count : $0.ids.lexicographicallyPrecedes($1.ids)
                    }
                }
            }
        }
        return true
    }

    /// A group as (its key's dimension ids, sorted; their values; its attributes), nil when it
    /// names no dimension or no attribute.
    private static func split(
        _ group: Group, inSeries: Set<String>, layout: SDMXDataLayout
    ) -> (ids: [String], values: [String], attributes: [String: String])? {
        var key: [SeriesKey.Dimension] = []
        var attributes: [String: String] = [:]
        if let given = group.key {
            key = given
            for value in group.values { attributes[value.id] = value.value }
        } else {
            for value in group.values {
                if layout.isDimension(value.id) ?? inSeries.contains(value.id) {
                    key.append(value)
                } else {
                    attributes[value.id] = value.value
                }
            }
        }
        guard !key.isEmpty, !attributes.isEmpty else { return nil }
        key.sort { $0.id < $1.id }
        return (key.map(\.id), key.map(\.value), attributes)
    }

    mutating func removeAll() {
        groups = []
        index = []
        indexedFor = nil
        built = [:]
    }

    /// The group attributes of the series with this key (time left out).
    mutating func attributes(for key: [SeriesKey.Dimension], layout: SDMXDataLayout) -> [String: String] {
        let ids = key.map(\.id)
        if indexedFor != ids {
            if let known = built[ids] {
                index = known
                indexedFor = ids
            } else {
                build(for: ids, layout: layout)
                if built.count >= 16 { built = [:] }
                built[ids] = index
            }
        }
        var values: [String: String] = [:]
        for dimension in key { values[dimension.id] = dimension.value }
        var found: [String: String] = [:]
        for (ids, groups) in index {
            var tuple: [String] = []
            tuple.reserveCapacity(ids.count)
            for id in ids {
                guard let value = values[id] else { break }
                tuple.append(value)
            }
            guard tuple.count == ids.count, let attributes = groups[tuple] else { continue }
            found.merge(attributes) { _, narrower in narrower }
        }
        return found
    }

    private mutating func build(for seriesIDs: [String], layout: SDMXDataLayout) {
        let inSeries = Set(seriesIDs)
        var byIDs: [[String]: [[String]: [String: String]]] = [:]
        for group in groups {
            guard let (ids, values, attributes) = Self.split(group, inSeries: inSeries, layout: layout) else {
                continue
            }
            byIDs[ids, default: [:]][values, default: [:]].merge(attributes) { _, later in later }
        }
        index = Array(
            byIDs.map { (ids: $0.key, groups: $0.value) }.sorted {
                $0.ids.count != $1.ids.count ? $0.ids.count < $1.ids.count : $0.ids.lexicographicallyPrecedes($1.ids)
            }.prefix(Self.shapeLimit))
        indexedFor = seriesIDs
    }
}
