public import TradeWatchModel

extension SDMXStructureMessage {
    /// One batch per dataflow (its dataset is the dataflow's id), or, in a message without
    /// dataflows, one per data structure definition (named by its id): the `DatasetStructure`
    /// and the names of every code of every coded dimension and attribute, in every language
    /// given. A dataflow whose structure the message does not define gives no batch (the
    /// reader warned of it).
    public func batches() -> [LabelBatch] {
        if dataflows.isEmpty {
            return dataStructures.filter { !$0.isExternal }.map { batch(dataset: $0.reference.id, names: [], $0) }
        }
        return dataflows.compactMap { flow in
            structure(of: flow).map { batch(dataset: flow.reference.id, names: flow.names, $0) }
        }
    }

    /// The batch of the dataflow with this id, else of the data structure definition with this
    /// id; nil when the message defines neither (or not the dataflow's structure).
    public func batch(for id: String) -> LabelBatch? {
        if let flow = dataflows.first(where: { $0.reference.id == id }) {
            return structure(of: flow).map { batch(dataset: id, names: flow.names, $0) }
        }
        return dataStructures.first { $0.reference.id == id && !$0.isExternal }.map {
            batch(dataset: id, names: [], $0)
        }
    }

    /// The data structure definition a dataflow follows, when the message defines it.
    public func structure(of flow: Dataflow) -> DataStructure? {
        guard let wanted = flow.structure else { return nil }
        return dataStructures.first { wanted.names($0.reference) && !$0.isExternal }
    }

    /// The codelist a reference names; one that lists codes is preferred over an external stub.
    public func codelist(_ reference: Reference) -> Codelist? {
        let named = codelists.filter { reference.names($0.reference) }
        return named.first { !$0.codes.isEmpty } ?? named.first
    }

    /// A component's concept, found in the scheme its identity names, else in any scheme.
    public func concept(of component: Component) -> Concept? {
        guard let id = component.concept else { return nil }
        if let scheme = component.conceptScheme,
            let found = conceptSchemes.lazy.filter({ scheme.names($0.reference) }).compactMap({
                $0.concepts.first { $0.id == id }
            }).first
        {
            return found
        }
        return conceptSchemes.lazy.compactMap { $0.concepts.first { $0.id == id } }.first
    }

    /// The codelist that enumerates a component's values: its own representation, else its
    /// concept's core representation.
    public func codelistReference(of component: Component) -> Reference? {
        component.codelist ?? concept(of: component)?.codelist
    }

    /// What the message references and does not define, as warnings: a dataflow's structure,
    /// a component's codelist. (Lists marked external were warned of as they were read.)
    func unresolvedReferences() -> [String] {
        var warnings: [String] = []
        for flow in dataflows where !flow.isExternal {
            guard let wanted = flow.structure else {
                warnings.append("dataflow \(flow.reference) names no data structure")
                continue
            }
            if !dataStructures.contains(where: { wanted.names($0.reference) }) {
                warnings.append("dataflow \(flow.reference): its data structure \(wanted) is not in this message")
            }
        }
        var missing = Set<Reference>()
        for structure in dataStructures {
            for component in structure.dimensions + structure.attributes + structure.measures {
                guard let reference = codelistReference(of: component), codelist(reference) == nil,
                    missing.insert(reference).inserted
                else { continue }
                warnings.append(
                    "data structure \(structure.reference): the codelist \(reference) of \(component.id) is not in this message"
                )
            }
        }
        return warnings
    }

    private func batch(dataset: String, names: [Name], _ structure: DataStructure) -> LabelBatch {
        var labels: [CodeLabel] = []
        var complete = Set<String>()
        // Components sharing a codelist (CURRENCY, CURRENCY_DENOM, UNIT_MEASURE) each get its
        // labels, as the data uses each id on its own.
        for component in structure.dimensions + structure.attributes {
            guard let reference = codelistReference(of: component), let list = codelist(reference),
                !list.codes.isEmpty
            else { continue }
            if !list.isExternal && !list.isPartial { complete.insert(component.id) }
            for code in list.codes {
                var languages = Set<String>()
                for name in code.names where languages.insert(name.language).inserted {
                    labels.append(
                        CodeLabel(
                            component: component.id, code: code.id, language: name.language, name: name.text,
                            parent: code.parent))
                }
            }
        }
        let made = DatasetStructure(
            dataset: dataset, names: names.isEmpty ? structure.names : names,
            reference: structure.reference.description,
            dimensions: structure.dimensions.map(datasetComponent), timeDimension: structure.timeDimension?.id,
            attributes: structure.attributes.map(datasetComponent), measures: structure.measures.map(datasetComponent))
        return LabelBatch(dataset: dataset, structure: made, labels: labels, complete: complete)
    }

    private func datasetComponent(_ component: Component) -> DatasetStructure.Component {
        let reference = codelistReference(of: component)
        return DatasetStructure.Component(
            id: component.id, names: concept(of: component)?.names ?? [],
            codelist: (reference.flatMap(codelist)?.reference ?? reference)?.description,
            attachment: component.attachment, attachedTo: component.attachedTo, mandatory: component.mandatory)
    }
}

extension SDMXStructureMessage.DataStructure {
    /// Puts the dimensions in key order (the declared positions where given; a stable sort
    /// keeps the listed order among equal or missing ones) and has an attribute attached to a
    /// declared group name the group's dimensions.
    mutating func arrange() {
        if dimensions.contains(where: { $0.position != nil }) {
            dimensions = dimensions.enumerated()
                .sorted {
                    ($0.element.position ?? $0.offset + 1, $0.offset) < (
                        $1.element.position ?? $1.offset + 1, $1.offset
                    )
                }
                .map(\.element)
        }
        let declared = Dictionary(groups.map { ($0.id, $0.dimensions) }, uniquingKeysWith: { first, _ in first })
        for index in attributes.indices where attributes[index].attachment == .group {
            if attributes[index].attachedTo.count == 1, let dimensions = declared[attributes[index].attachedTo[0]],
                !dimensions.isEmpty
            {
                attributes[index].attachedTo = dimensions
            }
        }
    }
}

/// An attribute's `AttributeRelationship`, as read from XML or JSON.
struct SDMXAttributeRelationship {
    /// 2.1 `None`, 3.0 `Dataflow`.
    var dataset = false
    /// 2.1 `PrimaryMeasure`, 3.0 `Observation` or a measure relationship.
    var observation = false
    var dimensions: [String] = []
    var group: String?
    var attachmentGroup: String?

    /// Sets where the attribute attaches. A group is named by its id here; `arrange()` puts
    /// its dimensions in its place once the whole structure is read.
    func attach(_ attribute: inout SDMXStructureMessage.Component) {
        if observation {
            attribute.attachment = .observation
        } else if let group {
            attribute.attachment = .group
            attribute.attachedTo = [group]
        } else if !dimensions.isEmpty {
            attribute.attachment = attachmentGroup == nil ? .dimensions : .group
            attribute.attachedTo = dimensions
        } else if dataset {
            attribute.attachment = .dataset
        }
    }
}

extension LabelBatch {
    /// The codes of each component the batch lists completely: what the data reader checks a
    /// message's keys against (`SDMXMLReader`'s `codes`).
    public var codes: [String: Set<String>] {
        var codes: [String: Set<String>] = [:]
        for label in labels where complete.contains(label.component) {
            codes[label.component, default: []].insert(label.code)
        }
        return codes
    }
}
