public import Foundation
public import TradeWatchModel

/// Reads SDMX-ML data messages as they stream in: 2.1 GenericData, GenericTimeSeriesData,
/// StructureSpecificData and StructureSpecificTimeSeriesData, and 3.0 StructureSpecificData.
/// Memory stays bounded by one series' attributes and the data set's groups, plus one 8-byte
/// hash per observation key to notice keys the message repeats (`RepeatedKeys`).
///
/// Structure-specific messages put dimensions and attributes side by side as XML attributes,
/// and only the data structure definition says which is which. Given one (`structure`), the
/// reader takes its dimensions as the key, in its order, and checks keys against it and
/// against the codes of `codes`; what disagrees is a warning, never a refusal. Without one,
/// it treats the SDMX cross-domain attribute concepts (`UNIT_MEASURE`, `OBS_STATUS`,
/// `TITLE`…) and the ids in `attributeIDs` as attributes and everything else as dimensions,
/// and the summary says so. Attributes of the groups a data set declares are kept on the
/// observations of the series each group covers (the series' own value wins).
public final class SDMXMLReader {
    private let handler: Handler
    private let xml: XMLStreamReader
    private let repeated: RepeatedKeys

    /// - Parameters:
    ///   - dataset: the dataset id observations are stored under (the flow's id).
    ///   - structure: the data structure definition the data follows (`LabelBatch.structure`).
    ///   - codes: the codes each dimension's codelist lists (`LabelBatch.codes`), to warn of
    ///     keys with other codes; only read with a `structure`.
    ///   - attributeIDs: more ids to read as attributes in structure-specific messages when
    ///     there is no structure.
    public convenience init(
        dataset: String, structure: DatasetStructure? = nil, codes: [String: Set<String>] = [:],
        attributeIDs: Set<String> = [], url: String? = nil, output: StatisticsOutput
    ) {
        self.init(
            naming: { _ in dataset }, structure: structure, codes: codes, attributeIDs: attributeIDs, url: url,
            output: output)
    }

    /// - Parameter naming: the dataset id of a data set's observations, from what the header
    ///   says its structure is (asked once per data set, before its first observation).
    public init(
        naming: @escaping (SDMXReference) -> String, structure: DatasetStructure? = nil,
        codes: [String: Set<String>] = [:], attributeIDs: Set<String> = [], url: String? = nil,
        output: StatisticsOutput
    ) {
        let repeated = RepeatedKeys()
        self.repeated = repeated
        let layout = SDMXDataLayout(
            structure: structure, codes: codes, heuristicAttributes: Self.knownAttributes.union(attributeIDs))
        handler = Handler(naming: naming, layout: layout, output: output.noting(repeated))
        xml = XMLStreamReader(handler: handler, url: url)
    }

    public func feed(_ data: Data) {
        guard handler.failure == nil else { return }
        xml.feed(data)
    }

    /// Ends the message. Throws when it was broken, an error message, not data at all, or
    /// an asynchronous "come back later" answer — never returning a partial read as complete.
    public func finish() throws -> StatisticsSummary {
        let report = xml.finish()
        if let failure = handler.failure { throw failure }
        guard let root = handler.root else {
            throw StatisticsError(.malformed, "not an XML document")
        }
        if root == "Error" {
            throw StatisticsError(
                .publisherError, "the service answered with an SDMX error: \(handler.errorText.joined(separator: " "))")
        }
        guard Handler.dataRoots.contains(root) else {
            throw StatisticsError(.malformed, "not an SDMX data message (the document is <\(root)>)")
        }
        if !report.wellFormed {
            let first = report.issues.first { $0.isError } ?? report.issues.first
            throw StatisticsError(
                .malformed, "broken XML: \(first?.message ?? "not well-formed")",
                place: first.map { "line \($0.line), column \($0.column)" })
        }
        if handler.dataSets == 0, !handler.footerText.isEmpty {
            let url = handler.footerText.lazy.compactMap(Self.firstURL).first
            throw StatisticsError(
                .notReady,
                "the publisher will write the answer to a file later: \(handler.footerText.first ?? "")",
                pollURL: url)
        }
        if handler.dataSets == 0 {
            throw StatisticsError(.malformed, "the message has no DataSet")
        }
        var summary = handler.summary
        summary.warnings += handler.layout.warnings
        if handler.droppedGroups > 0 {
            summary.warnings.append(
                "more than \(SDMXGroups.limit) groups in a data set: the attributes of \(handler.droppedGroups) were not kept"
            )
        }
        summary.append(repeated)
        return summary
    }

    /// Reads a whole message from `chunks`.
    public static func read(
        dataset: String, structure: DatasetStructure? = nil, codes: [String: Set<String>] = [:],
        attributeIDs: Set<String> = [], url: String? = nil, output: StatisticsOutput,
        chunks: ((Data) throws -> Void) throws -> Void
    ) throws -> StatisticsSummary {
        try read(
            naming: { _ in dataset }, structure: structure, codes: codes, attributeIDs: attributeIDs, url: url,
            output: output, chunks: chunks)
    }

    /// Reads a whole message from `chunks`, naming each data set's dataset with `naming`.
    public static func read(
        naming: @escaping (SDMXReference) -> String, structure: DatasetStructure? = nil,
        codes: [String: Set<String>] = [:], attributeIDs: Set<String> = [], url: String? = nil,
        output: StatisticsOutput, chunks: ((Data) throws -> Void) throws -> Void
    ) throws -> StatisticsSummary {
        let reader = SDMXMLReader(
            naming: naming, structure: structure, codes: codes, attributeIDs: attributeIDs, url: url, output: output)
        try chunks { reader.feed($0) }
        return try reader.finish()
    }

    private static func firstURL(_ text: String) -> String? {
        guard let start = text.range(of: "http") else { return nil }
        return String(text[start.lowerBound...].prefix { !$0.isWhitespace })
    }

    // MARK: The SAX handler

    final class Handler: XMLStreamHandler {
        static let dataRoots: Set<String> = [
            "GenericData", "GenericTimeSeriesData", "StructureSpecificData", "StructureSpecificTimeSeriesData",
        ]

        enum Context {
            case dataSet, series, group, groupKey, groupAttributes, seriesKey, seriesAttributes, observation,
                observationKey, observationAttributes, dataSetAttributes, other
        }

        let naming: (SDMXReference) -> String
        /// The dataset id of the current data set's observations.
        var dataset = ""
        let layout: SDMXDataLayout
        /// The heuristic's attribute ids (`layout.heuristicAttributes`).
        let attributeIDs: Set<String>
        var groups = SDMXGroups()
        var droppedGroups = 0
        /// The group being read: its generic `GroupKey`, and its values.
        var groupKey: [SeriesKey.Dimension]?
        var groupValues: [SeriesKey.Dimension] = []
        let output: StatisticsOutput
        var summary = StatisticsSummary()
        var failure: StatisticsError?
        var root: String?
        var depth = 0
        var dataSets = 0
        var footerText: [String] = []
        var errorText: [String] = []
        var inFooter = false
        var inError = false

        /// `dimensionAtObservation` per structure id, from the header.
        var observationDimension: [String: String] = [:]
        /// What each structure id of the header references.
        var references: [String: SDMXReference] = [:]
        /// Inside the header's `Structure` with this id.
        var headerStructure: String?
        /// Inside its `Structure` (`false`) or `StructureUsage` (`true`) reference.
        var headerReferenceIsFlow: Bool?
        var defaultAction = "Replace"
        var headerActionPending = false

        var action = "Replace" {
            didSet { deleting = action.lowercased() == "delete" }
        }
        var deleting = false
        var dataSetObservationDimension = "TIME_PERIOD"
        var dataSetAttributes: [String: String] = [:]
        var seriesDimensions: [SeriesKey.Dimension] = [] {
            didSet { seriesCache = nil }
        }
        /// The series' key and dataset-plus-series attributes, built at its first observation
        /// and reused for the others (a series has dozens of observations).
        var seriesCache: (key: SeriesKey?, period: String?, base: SplitAttributes)?
        /// Periods already interpreted: a message repeats the same few dozen periods in every
        /// series.
        var periods: [String: Period] = [:]
        var seriesAttributes: [String: String] = [:] {
            didSet { seriesCache = nil }
        }
        var inSeries = false
        var observationDimensions: [SeriesKey.Dimension] = []
        var observationAttributes: [String: String] = [:]
        var observationValue: String?
        var observationPeriod: String?
        var context: [Context] = []

        init(naming: @escaping (SDMXReference) -> String, layout: SDMXDataLayout, output: StatisticsOutput) {
            self.naming = naming
            self.layout = layout
            self.attributeIDs = layout.heuristicAttributes
            self.output = output
        }

        func xmlStart(_ name: XMLName, attributes: [XMLAttribute]) {
            depth += 1
            guard failure == nil else { return }
            let local = name.local
            if root == nil {
                root = local
                return
            }
            if inFooter || inError { return }
            switch local {
            case "Value":
                guard let id = value("id", attributes), let text = value("value", attributes) else { return }
                switch context.last {
                case .seriesKey: appendSeriesDimension(SeriesKey.Dimension(id: id, value: text))
                case .seriesAttributes: setSeriesAttribute(id, text)
                case .observationAttributes:
                    var attributes = take(&observationAttributes, leaving: [:])
                    attributes[id] = text
                    observationAttributes = attributes
                case .dataSetAttributes:
                    var attributes = take(&dataSetAttributes, leaving: [:])
                    attributes[id] = text
                    dataSetAttributes = attributes
                case .observationKey:
                    if Self.isTime(id) {
                        observationPeriod = text
                    } else {
                        appendObservationDimension(SeriesKey.Dimension(id: id, value: text))
                    }
                case .groupKey:
                    groupKey?.append(SeriesKey.Dimension(id: id, value: text))
                case .groupAttributes:
                    groupValues.append(SeriesKey.Dimension(id: id, value: text))
                default: break
                }
            case "Obs":
                startObservation(attributes)
            case "ObsDimension":
                if let text = value("value", attributes) {
                    let id = value("id", attributes) ?? dataSetObservationDimension
                    if Self.isTime(id) {
                        observationPeriod = text
                    } else {
                        appendObservationDimension(SeriesKey.Dimension(id: id, value: text))
                    }
                }
            case "ObsValue":
                observationValue = value("value", attributes)
            case "Attributes":
                switch context.last {
                case .observation: push(.observationAttributes)
                case .dataSet: push(.dataSetAttributes)
                case .series: push(.seriesAttributes)
                case .group: push(.groupAttributes)
                default: push(.other)
                }
            case "Series":
                inSeries = true
                seriesDimensions = []
                seriesAttributes = [:]
                for attribute in attributes where attribute.name.namespace == nil {
                    if isAttribute(attribute.name.local) {
                        setSeriesAttribute(attribute.name.local, attribute.value)
                    } else {
                        appendSeriesDimension(SeriesKey.Dimension(id: attribute.name.local, value: attribute.value))
                    }
                }
                push(.series)
            case "SeriesKey":
                push(.seriesKey)
            case "GroupKey":
                groupKey = []
                push(.groupKey)
            case "ObsKey":
                push(.observationKey)
            case "Footer":
                inFooter = true
            case "ErrorMessage":
                inError = true
            case "Structure" where depth == 3:
                let id = value("structureID", attributes) ?? ""
                headerStructure = id
                references[id] = references[id] ?? SDMXReference()
                if let dimension = value("dimensionAtObservation", attributes) {
                    observationDimension[id] = dimension
                }
            case "Structure" where depth == 4 && headerStructure != nil:
                headerReferenceIsFlow = false
            case "StructureUsage" where depth == 4 && headerStructure != nil:
                headerReferenceIsFlow = true
            case "Ref" where headerReferenceIsFlow != nil:
                if let structure = headerStructure, let id = value("id", attributes) {
                    var reference = references[structure] ?? SDMXReference()
                    if headerReferenceIsFlow == true {
                        reference.dataflow = reference.dataflow ?? id
                    } else {
                        reference.structure = reference.structure ?? id
                    }
                    references[structure] = reference
                }
            case "DataSetAction" where depth == 3:
                headerActionPending = true
            case "DataSet":
                startDataSet(attributes)
            case "Group":
                startGroup(attributes)
            default:
                break
            }
        }

        func xmlEnd(_ name: XMLName) {
            depth -= 1
            guard failure == nil else { return }
            // The frequent elements first: each case is a string comparison.
            switch name.local {
            case "Value", "ObsValue", "ObsDimension": break
            case "Obs":
                pop()
                finishObservation()
            case "SeriesKey", "Attributes", "ObsKey", "GroupKey":
                if !inFooter && !inError { pop() }
            case "Group":
                if !inFooter && !inError { finishGroup() }
            case "Series":
                inSeries = false
                pop()
            case "Footer": inFooter = false
            case "ErrorMessage": inError = false
            case "DataSetAction": headerActionPending = false
            case "Structure" where depth == 2:
                headerStructure = nil
            case "Structure" where depth == 3, "StructureUsage" where depth == 3:
                headerReferenceIsFlow = nil
            case "DataSet":
                pop()
            default: break
            }
        }

        func xmlText(_ text: String) {
            // Only footers, errors and the header's action carry text worth reading; the
            // whitespace between a large message's elements is skipped without a look.
            guard inFooter || inError || headerActionPending || headerReferenceIsFlow != nil else { return }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { return }
            if inFooter { footerText.append(trimmed) }
            if inError { errorText.append(trimmed) }
            if headerActionPending { defaultAction = trimmed }
            // SDMX-ML 3.0 writes the reference as a URN, 2.1 may too (in a `URN` element).
            if headerReferenceIsFlow != nil, let structure = headerStructure {
                references[structure]?.set(urn: trimmed)
            }
        }

        // The state that grows is changed as locals taken out of the properties (see `take`):
        // no access to a property spans a call into the standard library, so the optimizer
        // proves them all disjoint and no run-time exclusivity check is left per observation.

        @inline(__always)
        func push(_ entered: Context) {
            var context = take(&self.context, leaving: [])
            context.append(entered)
            self.context = context
        }

        @inline(__always)
        func pop() {
            var context = take(&self.context, leaving: [])
            _ = context.popLast()
            self.context = context
        }

        @inline(__always)
        private func appendObservationDimension(_ dimension: SeriesKey.Dimension) {
            var dimensions = take(&observationDimensions, leaving: [])
            dimensions.append(dimension)
            observationDimensions = dimensions
        }

        @inline(__always)
        private func appendSeriesDimension(_ dimension: SeriesKey.Dimension) {
            var dimensions = take(&seriesDimensions, leaving: [])
            dimensions.append(dimension)
            seriesDimensions = dimensions
        }

        @inline(__always)
        private func setSeriesAttribute(_ id: String, _ value: String) {
            var attributes = take(&seriesAttributes, leaving: [:])
            attributes[id] = value
            seriesAttributes = attributes
        }

        private func warn(_ warning: String) {
            var warnings = take(&summary.warnings, leaving: [])
            warnings.append(warning)
            summary.warnings = warnings
        }

        private func value(_ local: String, _ attributes: [XMLAttribute]) -> String? {
            attributes.first { $0.name.local == local && $0.name.namespace == nil }?.value
                ?? attributes.first { $0.name.local == local }?.value
        }

        private func startDataSet(_ attributes: [XMLAttribute]) {
            dataSets += 1
            action = value("action", attributes) ?? defaultAction
            let structure = value("structureRef", attributes) ?? value("structureID", attributes)
            dataset = naming(structure.flatMap { references[$0] } ?? references.values.first ?? SDMXReference())
            dataSetObservationDimension =
                structure.flatMap { observationDimension[$0] } ?? observationDimension.values.first ?? "TIME_PERIOD"
            var setAttributes: [String: String] = [:]
            // Structure-specific data sets carry dataset-level attributes as plain attributes.
            let reserved: Set<String> = [
                "action", "structureRef", "dataScope", "setID", "validFromDate", "validToDate", "publicationYear",
                "publicationPeriod", "reportingBeginDate", "reportingEndDate", "structureID",
            ]
            for attribute in attributes
            where attribute.name.namespace == nil && !reserved.contains(attribute.name.local) {
                setAttributes[attribute.name.local] = attribute.value
            }
            dataSetAttributes = setAttributes
            groups.removeAll()
            push(.dataSet)
        }

        private func startObservation(_ attributes: [XMLAttribute]) {
            // Built as locals and stored once (see `take`).
            var observationDimensions: [SeriesKey.Dimension] = []
            var observationAttributes: [String: String] = [:]
            observationValue = nil
            observationPeriod = nil
            var type: String?
            for attribute in attributes {
                guard attribute.name.namespace == nil else {
                    if attribute.name.local == "type", attribute.name.namespace == Self.schemaInstance {
                        type = attribute.value
                    }
                    continue
                }
                let id = attribute.name.local
                if Self.isTime(id) {
                    observationPeriod = attribute.value
                } else if id == "OBS_VALUE" {
                    observationValue = attribute.value
                } else if layout.isDimension(id) ?? isDimensionByHeuristic(id) {
                    observationDimensions.append(SeriesKey.Dimension(id: id, value: attribute.value))
                } else {
                    observationAttributes[id] = attribute.value
                }
            }
            // Explicit measures (2.1): the Obs names the value of the dimension at the
            // observation level, the measure, by its type (`xsi:type="ns:TFRNSI"`).
            let atObservation = dataSetObservationDimension
            if let type, !Self.isTime(atObservation), atObservation != "AllDimensions",
                !observationDimensions.contains(where: { $0.id == atObservation })
            {
                let measure = type.split(separator: ":").last.map(String.init) ?? type
                observationDimensions.append(SeriesKey.Dimension(id: atObservation, value: measure))
            }
            self.observationDimensions = observationDimensions
            self.observationAttributes = observationAttributes
            push(.observation)
        }

        static let schemaInstance = "http://www.w3.org/2001/XMLSchema-instance"

        static func isTime(_ id: String) -> Bool { id == "TIME_PERIOD" || id == "TIME" }

        private func period(_ text: String) -> Period {
            // Looked up as a local (see `take`): hashing runs outside any access to the property.
            var periods = take(&self.periods, leaving: [:])
            defer { self.periods = periods }
            if let known = periods[text] { return known }
            let made = Period(text)
            if periods.count < 10_000 { periods[text] = made }
            return made
        }

        private func makeSeriesCache() -> (key: SeriesKey?, period: String?, base: SplitAttributes) {
            var dimensions = seriesDimensions
            var period: String?
            if let index = dimensions.firstIndex(where: { Self.isTime($0.id) }) {
                period = dimensions[index].value
                dimensions.remove(at: index)
            }
            dimensions = layout.arrange(dimensions)
            return (
                dimensions.isEmpty ? nil : SeriesKey(dimensions), period, SplitAttributes(attributes(of: dimensions))
            )
        }

        private func finishObservation() {
            var key: SeriesKey
            var period = observationPeriod
            let base: SplitAttributes
            if inSeries && observationDimensions.isEmpty {
                let cache = seriesCache ?? makeSeriesCache()
                seriesCache = cache
                guard let cachedKey = cache.key else {
                    warn("an observation without a key was skipped")
                    return
                }
                key = cachedKey
                if period == nil { period = cache.period }
                base = cache.base
            } else {
                var dimensions = inSeries ? seriesDimensions + observationDimensions : observationDimensions
                // A cross-sectional series carries the time in its key; the period is not a key part.
                if let index = dimensions.firstIndex(where: { Self.isTime($0.id) }) {
                    if period == nil { period = dimensions[index].value }
                    dimensions.remove(at: index)
                }
                guard !dimensions.isEmpty else {
                    warn("an observation without a key was skipped")
                    return
                }
                dimensions = layout.arrange(dimensions)
                key = SeriesKey(dimensions)
                base = SplitAttributes(attributes(of: dimensions))
            }
            guard let period else {
                warn("an observation without a period was skipped")
                return
            }
            do {
                if deleting {
                    try output.delete(ObservationKey(dataset: dataset, series: key.canonical, period: period))
                    summary.deletions += 1
                    return
                }
                // The series' attributes were split once; an observation's own (usually just
                // its status) override them.
                var attributes = base
                for (id, value) in observationAttributes { attributes.set(id, value) }
                var value = observationValue
                if let text = value, text.isEmpty || text == "NaN" || text == "NA" { value = nil }
                try output.add(
                    Observation(
                        dataset: dataset, series: key, period: self.period(period), value: value,
                        unit: attributes.unit, unitMultiplier: attributes.multiplier.flatMap { Int($0) },
                        status: attributes.status, attributes: attributes.rest))
                summary.observations += 1
            } catch let error as StatisticsError {
                failure = error
            } catch {
                failure = StatisticsError(.malformed, "the cache refused an observation: \(error)")
            }
        }
    }
}
