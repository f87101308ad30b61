import TradeWatchModel

/// The SAX side of `SDMXStructureReader`: builds an `SDMXStructureMessage` from SDMX-ML 2.1
/// and 3.0 structure messages as their elements stream by. Elements are told apart by their
/// namespace URI and local name, never by prefix; what an element means often depends on
/// where it sits (`Dimension` is a key part in a `DimensionList` and a reference in an
/// `AttributeRelationship`), so the open items are kept with the depth each opened at.
///
/// References are read in both shapes: 2.1 `<Ref id=… agencyID=… version=…/>` or `<URN>`,
/// and 3.0 text (a URN, or a plain id for references inside the same structure).
final class SDMXStructureHandler: XMLStreamHandler {
    /// What a reference element currently open refers to.
    enum Slot {
        case parent, conceptIdentity, enumeration, relationDimension, relationGroup, attachmentGroup, groupDimension,
            dataflowStructure
    }

    /// What the `Name` now being read names.
    enum NameTarget { case codelist, code, scheme, concept, structure, dataflow }

    enum ComponentList { case dimensions, attributes, measures }

    /// How many warnings are kept; the rest are counted.
    static let maxWarnings = 50

    var root: String?
    var rootNamespace: String?
    var message = SDMXStructureMessage()
    var errorText: [String] = []
    private var moreWarnings = 0
    private var inError = false
    private var depth = 0

    /// The open list of items (`Codelists`, `Concepts`, `DataStructures`, `Dataflows`): items
    /// are read only as its children, never where the same element name is a reference (a
    /// constraint's `<Dataflow>`).
    private var container: String?
    private var containerDepth = 0
    private var codelist: SDMXStructureMessage.Codelist?
    private var codelistDepth = 0
    private var skippedCodes = 0
    private var code: SDMXStructureMessage.Code?
    private var codeDepth = 0
    private var scheme: SDMXStructureMessage.ConceptScheme?
    private var schemeDepth = 0
    private var concept: SDMXStructureMessage.Concept?
    private var conceptDepth = 0
    private var structure: SDMXStructureMessage.DataStructure?
    private var structureDepth = 0
    private var list: ComponentList?
    private var listDepth = 0
    /// The component being read, with its kind (`Dimension`, `TimeDimension`, `Attribute`...).
    private var component: SDMXStructureMessage.Component?
    private var componentKind = ""
    private var componentDepth = 0
    private var relationship = SDMXAttributeRelationship()
    private var relationshipDepth = 0
    private var measureRelationshipDepth = 0
    private var group: SDMXStructureMessage.Group?
    private var groupDepth = 0
    private var dataflow: SDMXStructureMessage.Dataflow?
    private var dataflowDepth = 0

    private var slot: Slot?
    private var slotDepth = 0
    private var slotResolved = false
    private var slotText = ""

    private var name: (target: NameTarget, language: String, depth: Int)?
    private var nameText = ""

    // MARK: Namespaces

    static let sdmxSchemas = "http://www.sdmx.org/resources/sdmxml/schemas/v"

    /// The last namespace URIs found to be SDMX structure / common ones: the same few URIs come
    /// with every element, and comparing a string with itself is quick.
    private var knownStructure = ""
    private var knownCommon = ""

    private func isStructure(_ namespace: String?) -> Bool {
        guard let namespace else { return false }
        if namespace == knownStructure { return true }
        guard namespace.hasPrefix(Self.sdmxSchemas), namespace.hasSuffix("/structure") else { return false }
        knownStructure = namespace
        return true
    }

    private func isCommon(_ namespace: String?) -> Bool {
        guard let namespace else { return false }
        if namespace == knownCommon { return true }
        guard namespace.hasPrefix(Self.sdmxSchemas), namespace.hasSuffix("/common") else { return false }
        knownCommon = namespace
        return true
    }

    // MARK: Events

    func xmlStart(_ element: XMLName, attributes: [XMLAttribute]) {
        depth += 1
        let local = element.local
        if root == nil {
            root = local
            rootNamespace = element.namespace
            return
        }
        if inError { return }
        switch local {
        case "Name":
            if isCommon(element.namespace), let target = nameTarget() {
                name = (target, value(Self.xmlLanguage, attributes) ?? "", depth)
                nameText = ""
            }
        case "Code":
            if codelist != nil, depth == codelistDepth + 1, isStructure(element.namespace) {
                code = SDMXStructureMessage.Code(id: value("id", attributes) ?? "")
                codeDepth = depth
            }
        case "Parent":
            if code != nil { open(.parent) }
        case "Codelists", "Concepts", "ConceptSchemes", "DataStructures", "Dataflows":
            if isStructure(element.namespace), container == nil {
                container = local
                containerDepth = depth
            }
        case "Codelist":
            if isItem(of: "Codelists") {
                guard let reference = reference(attributes, kind: "a codelist") else { return }
                codelist = SDMXStructureMessage.Codelist(
                    reference: reference, isExternal: flag("isExternalReference", attributes),
                    isPartial: flag("isPartial", attributes))
                codelistDepth = depth
                skippedCodes = 0
            }
        case "Concept":
            if scheme != nil, depth == schemeDepth + 1, isStructure(element.namespace) {
                guard let id = value("id", attributes) else {
                    warn("concept scheme \(scheme?.reference.description ?? ""): a concept without an id was skipped")
                    return
                }
                concept = SDMXStructureMessage.Concept(id: id)
                conceptDepth = depth
            }
        case "ConceptScheme":
            if isItem(of: "Concepts") || isItem(of: "ConceptSchemes") {
                guard let reference = reference(attributes, kind: "a concept scheme") else { return }
                scheme = SDMXStructureMessage.ConceptScheme(
                    reference: reference, isExternal: flag("isExternalReference", attributes))
                schemeDepth = depth
            }
        case "Enumeration":
            if component != nil || concept != nil { open(.enumeration) }
        case "DataStructure":
            if isItem(of: "DataStructures") {
                guard let reference = reference(attributes, kind: "a data structure") else { return }
                structure = SDMXStructureMessage.DataStructure(
                    reference: reference, isExternal: flag("isExternalReference", attributes))
                structureDepth = depth
            }
        case "DimensionList": openList(.dimensions)
        case "AttributeList": openList(.attributes)
        case "MeasureList": openList(.measures)
        case "Dimension", "MeasureDimension", "TimeDimension":
            if relationshipDepth > 0 {
                if local == "Dimension" { open(.relationDimension) }
            } else if list == .dimensions, component == nil {
                openComponent(local, attributes)
            }
        case "Attribute":
            if list == .attributes, component == nil { openComponent(local, attributes) }
        case "PrimaryMeasure", "Measure":
            if relationshipDepth > 0 || measureRelationshipDepth > 0 {
                relationship.observation = true
            } else if list == .measures, component == nil {
                openComponent(local, attributes)
            }
        case "ConceptIdentity":
            if component != nil { open(.conceptIdentity) }
        case "AttributeRelationship":
            if component != nil {
                relationshipDepth = depth
                relationship = SDMXAttributeRelationship()
            }
        case "MeasureRelationship":
            if component != nil { measureRelationshipDepth = depth }
        case "None", "Observation":
            if relationshipDepth > 0 {
                if local == "None" { relationship.dataset = true } else { relationship.observation = true }
            }
        case "Group":
            if relationshipDepth > 0 {
                open(.relationGroup)
            } else if structure != nil, component == nil, group == nil, isStructure(element.namespace) {
                group = SDMXStructureMessage.Group(id: value("id", attributes) ?? "")
                groupDepth = depth
            }
        case "AttachmentGroup":
            if relationshipDepth > 0 { open(.attachmentGroup) }
        case "DimensionReference":
            if group != nil { open(.groupDimension) }
        case "Dataflow":
            if relationshipDepth > 0 {
                relationship.dataset = true
            } else if isItem(of: "Dataflows") {
                guard let reference = reference(attributes, kind: "a dataflow") else { return }
                dataflow = SDMXStructureMessage.Dataflow(
                    reference: reference, isExternal: flag("isExternalReference", attributes))
                dataflowDepth = depth
            }
        case "Structure":
            if dataflow != nil, depth == dataflowDepth + 1 { open(.dataflowStructure) }
        case "Ref":
            if slot != nil, !slotResolved { resolve(attributes) }
        case "ErrorMessage":
            inError = true
        default:
            break
        }
    }

    func xmlEnd(_ element: XMLName) {
        defer { depth -= 1 }
        if inError {
            if element.local == "ErrorMessage" { inError = false }
            return
        }
        if let open = name, open.depth == depth {
            finishName(open.target, language: open.language)
            name = nil
        }
        if slot != nil, depth == slotDepth { closeSlot() }
        if depth == codeDepth, code != nil {
            finishCode()
        } else if depth == codelistDepth, codelist != nil {
            finishCodelist()
        } else if depth == conceptDepth, let finished = concept {
            scheme?.concepts.append(finished)
            concept = nil
        } else if depth == schemeDepth, let finished = scheme {
            if finished.isExternal {
                warn("concept scheme \(finished.reference) is external; its concepts are not in this message")
            }
            message.conceptSchemes.append(finished)
            scheme = nil
        } else if depth == relationshipDepth {
            relationshipDepth = 0
        } else if depth == measureRelationshipDepth {
            measureRelationshipDepth = 0
        } else if depth == componentDepth, component != nil {
            finishComponent()
        } else if depth == groupDepth, let finished = group {
            if !finished.id.isEmpty { structure?.groups.append(finished) }
            group = nil
        } else if depth == listDepth, list != nil {
            list = nil
        } else if depth == structureDepth, structure != nil {
            finishStructure()
        } else if depth == dataflowDepth, let finished = dataflow {
            if finished.isExternal {
                warn("dataflow \(finished.reference) is external; its definition is not in this message")
            }
            message.dataflows.append(finished)
            dataflow = nil
        } else if depth == containerDepth, container != nil {
            container = nil
        }
    }

    func xmlText(_ text: String) {
        if name != nil {
            nameText += text
        } else if slot != nil {
            slotText += text
        } else if inError {
            let trimmed = text.trimmingXMLWhitespace
            if !trimmed.isEmpty, errorText.count < 20 { errorText.append(trimmed) }
        }
    }

    /// Adds the count of warnings left out, once the message is read.
    func finishWarnings() {
        if moreWarnings > 0 { message.warnings.append("and \(moreWarnings) more warnings") }
        moreWarnings = 0
    }

    // MARK: Items

    static let xmlLanguage = "lang"

    private func isItem(of list: String) -> Bool {
        container == list && depth == containerDepth + 1
    }

    private func nameTarget() -> NameTarget? {
        let parent = depth - 1
        if code != nil { return codeDepth == parent ? .code : nil }
        if concept != nil { return conceptDepth == parent ? .concept : nil }
        if codelist != nil { return codelistDepth == parent ? .codelist : nil }
        if scheme != nil { return schemeDepth == parent ? .scheme : nil }
        if structure != nil { return structureDepth == parent ? .structure : nil }
        if dataflow != nil { return dataflowDepth == parent ? .dataflow : nil }
        return nil
    }

    private func finishName(_ target: NameTarget, language: String) {
        let text = nameText.trimmingXMLWhitespace
        nameText = ""
        let made = SDMXStructureMessage.Name(language: language, text: text)
        switch target {
        case .code: code?.names.append(made)
        case .codelist: codelist?.names.append(made)
        case .concept: concept?.names.append(made)
        case .scheme: scheme?.names.append(made)
        case .structure: structure?.names.append(made)
        case .dataflow: dataflow?.names.append(made)
        }
    }

    private func finishCode() {
        guard let finished = code else { return }
        code = nil
        guard !finished.id.isEmpty else {
            skippedCodes += 1
            return
        }
        codelist?.codes.append(finished)
    }

    private func finishCodelist() {
        guard let finished = codelist else { return }
        codelist = nil
        if skippedCodes > 0 {
            warn(
                "codelist \(finished.reference): \(skippedCodes) code\(skippedCodes == 1 ? "" : "s") without an id skipped"
            )
        }
        if finished.isExternal && finished.codes.isEmpty {
            warn("codelist \(finished.reference) is external; its codes are not in this message")
        }
        message.codelists.append(finished)
    }

    private func openList(_ kind: ComponentList) {
        guard structure != nil, component == nil else { return }
        list = kind
        listDepth = depth
    }

    private func openComponent(_ kind: String, _ attributes: [XMLAttribute]) {
        let mandatory: Bool? =
            value("assignmentStatus", attributes).map { $0.lowercased() == "mandatory" }
            ?? value("usage", attributes).map { $0.lowercased() == "mandatory" }
        component = SDMXStructureMessage.Component(
            id: value("id", attributes) ?? "", mandatory: kind == "Attribute" ? mandatory : nil,
            position: value("position", attributes).flatMap { Int($0.trimmingXMLWhitespace) })
        componentKind = kind
        componentDepth = depth
        relationship = SDMXAttributeRelationship()
    }

    private func finishComponent() {
        guard var finished = component, structure != nil else {
            component = nil
            return
        }
        component = nil
        componentDepth = 0
        if finished.id.isEmpty {
            // 2.1 lets a component take its concept's id; the primary measure's and the time
            // dimension's are fixed by the standard.
            let fixed = ["PrimaryMeasure": "OBS_VALUE", "TimeDimension": "TIME_PERIOD"]
            finished.id = finished.concept ?? fixed[componentKind] ?? ""
        }
        guard !finished.id.isEmpty else {
            warn(
                "data structure \(structure?.reference.description ?? ""): a component (\(componentKind)) without an id was skipped"
            )
            return
        }
        switch componentKind {
        case "TimeDimension": structure?.timeDimension = finished
        case "Attribute":
            relationship.attach(&finished)
            structure?.attributes.append(finished)
        case "PrimaryMeasure", "Measure": structure?.measures.append(finished)
        default: structure?.dimensions.append(finished)
        }
    }

    private func finishStructure() {
        guard var finished = structure else { return }
        structure = nil
        finished.arrange()
        if finished.isExternal {
            warn("data structure \(finished.reference) is external; its components are not in this message")
        }
        message.dataStructures.append(finished)
    }

    // MARK: References

    private func open(_ kind: Slot) {
        guard slot == nil else { return }
        slot = kind
        slotDepth = depth
        slotResolved = false
        slotText = ""
    }

    /// A 3.0 reference written as text (or a 2.1 `<URN>`), applied when its element ends.
    private func closeSlot() {
        defer {
            slot = nil
            slotText = ""
        }
        guard !slotResolved else { return }
        let text = slotText.trimmingXMLWhitespace
        guard !text.isEmpty else { return }
        if let (reference, item) = SDMXStructureMessage.Reference.urn(text) {
            apply(reference: reference, item: item)
        } else {
            apply(local: text)
        }
    }

    /// A 2.1 `<Ref>`: local (just `id`), or to a maintainable artefact or an item in one.
    private func resolve(_ attributes: [XMLAttribute]) {
        guard let id = value("id", attributes), !id.isEmpty else { return }
        slotResolved = true
        let agency = value("agencyID", attributes)
        if let parent = value("maintainableParentID", attributes) {
            let scheme = SDMXStructureMessage.Reference(
                agency: agency, id: parent, version: value("maintainableParentVersion", attributes))
            apply(reference: scheme, item: id)
        } else if agency != nil || value("version", attributes) != nil {
            apply(reference: .init(agency: agency, id: id, version: value("version", attributes)), item: nil)
        } else {
            apply(local: id)
        }
    }

    private func apply(reference: SDMXStructureMessage.Reference, item: String?) {
        switch slot {
        case .conceptIdentity:
            component?.conceptScheme = reference
            component?.concept = item ?? reference.id
        case .enumeration:
            if component != nil {
                component?.codelist = reference
            } else {
                concept?.codelist = reference
            }
        case .dataflowStructure:
            dataflow?.structure = reference
        default:
            // A URN where a local id was expected (some services write them): its last part.
            apply(local: item ?? reference.id)
        }
        slotResolved = true
    }

    private func apply(local id: String) {
        switch slot {
        case .parent: code?.parent = id
        case .relationDimension: relationship.dimensions.append(id)
        case .relationGroup: relationship.group = id
        case .attachmentGroup: relationship.attachmentGroup = id
        case .groupDimension: group?.dimensions.append(id)
        case .conceptIdentity: component?.concept = id
        case .enumeration:
            if component != nil {
                component?.codelist = .init(id: id)
            } else {
                concept?.codelist = .init(id: id)
            }
        case .dataflowStructure: dataflow?.structure = .init(id: id)
        case nil: break
        }
        slotResolved = true
    }

    // MARK: Helpers

    private func reference(_ attributes: [XMLAttribute], kind: String) -> SDMXStructureMessage.Reference? {
        guard let id = value("id", attributes), !id.isEmpty else {
            warn("\(kind) without an id was skipped")
            return nil
        }
        return .init(agency: value("agencyID", attributes), id: id, version: value("version", attributes))
    }

    private func flag(_ local: String, _ attributes: [XMLAttribute]) -> Bool {
        value(local, attributes)?.trimmingXMLWhitespace == "true"
    }

    private func value(_ local: String, _ attributes: [XMLAttribute]) -> String? {
        for attribute in attributes where attribute.name.local == local { return attribute.value }
        return nil
    }

    func warn(_ warning: String) {
        if message.warnings.count < Self.maxWarnings {
            message.warnings.append(warning)
        } else {
            moreWarnings += 1
        }
    }
}
