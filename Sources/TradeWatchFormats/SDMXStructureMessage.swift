public import TradeWatchModel

/// What an SDMX structure message defines, as read: its codelists, concept schemes, data
/// structure definitions and dataflows, with every reference kept as the message wrote it and
/// resolved only when a dataset's labels are asked for (`batches()`, `batch(for:)`).
///
/// Every string is the publisher's, decoded from the XML or JSON: text, never markup.
public struct SDMXStructureMessage: Sendable, Hashable {
    public typealias Name = DatasetStructure.Name

    /// A maintainable artefact's identity, `AGENCY:ID(VERSION)`.
    public struct Reference: Sendable, Hashable, CustomStringConvertible {
        public var agency: String?
        public var id: String
        public var version: String?

        public init(agency: String? = nil, id: String, version: String? = nil) {
            self.agency = agency
            self.id = id
            self.version = version
        }

        /// `ISO:CL_CURRENCY(1.0)`; the parts the message did not give are left out.
        public var description: String {
            (agency.map { $0 + ":" } ?? "") + id + (version.map { "(" + $0 + ")" } ?? "")
        }

        /// Whether `self`, as a reference written in a message, names `other`: the parts it
        /// leaves out (the agency, the version) match anything.
        func names(_ other: Reference) -> Bool {
            id == other.id && (agency == nil || other.agency == nil || agency == other.agency)
                && (version == nil || other.version == nil || version == other.version)
        }
    }

    public struct Code: Sendable, Hashable {
        public var id: String
        /// Every name given, one per language.
        public var names: [Name]
        /// The parent code in a hierarchical list (`67` for `6704`).
        public var parent: String?

        public init(id: String, names: [Name] = [], parent: String? = nil) {
            self.id = id
            self.names = names
            self.parent = parent
        }
    }

    public struct Codelist: Sendable, Hashable {
        public var reference: Reference
        public var names: [Name]
        public var codes: [Code]
        /// `isExternalReference="true"`: the list is defined elsewhere and its codes are not
        /// in this message.
        public var isExternal: Bool
        /// `isPartial="true"`: only some of the list's codes (those a constraint allows).
        public var isPartial: Bool

        public init(
            reference: Reference, names: [Name] = [], codes: [Code] = [], isExternal: Bool = false,
            isPartial: Bool = false
        ) {
            self.reference = reference
            self.names = names
            self.codes = codes
            self.isExternal = isExternal
            self.isPartial = isPartial
        }
    }

    public struct Concept: Sendable, Hashable {
        public var id: String
        public var names: [Name]
        /// The codelist of its core representation, when it is coded.
        public var codelist: Reference?

        public init(id: String, names: [Name] = [], codelist: Reference? = nil) {
            self.id = id
            self.names = names
            self.codelist = codelist
        }
    }

    public struct ConceptScheme: Sendable, Hashable {
        public var reference: Reference
        public var names: [Name]
        public var concepts: [Concept]
        public var isExternal: Bool

        public init(reference: Reference, names: [Name] = [], concepts: [Concept] = [], isExternal: Bool = false) {
            self.reference = reference
            self.names = names
            self.concepts = concepts
            self.isExternal = isExternal
        }
    }

    /// A dimension, attribute or measure of a data structure definition.
    public struct Component: Sendable, Hashable {
        /// The id the data uses: the component's own, else its concept's.
        public var id: String
        /// The concept it stands for: its scheme (when the reference names one) and its id.
        public var conceptScheme: Reference?
        public var concept: String?
        /// The codelist of its local representation, as written; nil when the component
        /// does not name one (the concept's core representation may).
        public var codelist: Reference?
        /// Attributes: where the value attaches, what it names, whether it must be given.
        public var attachment: DatasetStructure.Attachment?
        public var attachedTo: [String]
        public var mandatory: Bool?
        /// Dimensions: the declared position in the key (1-based), when given.
        public var position: Int?

        public init(
            id: String, conceptScheme: Reference? = nil, concept: String? = nil, codelist: Reference? = nil,
            attachment: DatasetStructure.Attachment? = nil, attachedTo: [String] = [], mandatory: Bool? = nil,
            position: Int? = nil
        ) {
            self.id = id
            self.conceptScheme = conceptScheme
            self.concept = concept
            self.codelist = codelist
            self.attachment = attachment
            self.attachedTo = attachedTo
            self.mandatory = mandatory
            self.position = position
        }
    }

    /// A group of dimensions a structure declares (series sharing those dimensions' values
    /// share the group's attributes).
    public struct Group: Sendable, Hashable {
        public var id: String
        public var dimensions: [String]

        public init(id: String, dimensions: [String] = []) {
            self.id = id
            self.dimensions = dimensions
        }
    }

    public struct DataStructure: Sendable, Hashable {
        public var reference: Reference
        public var names: [Name]
        /// In key order: by declared `position` where given, else as listed. Without the time
        /// dimension.
        public var dimensions: [Component]
        public var timeDimension: Component?
        public var attributes: [Component]
        /// The primary measure (2.1) or the measures (3.0).
        public var measures: [Component]
        public var groups: [Group]
        public var isExternal: Bool

        public init(
            reference: Reference, names: [Name] = [], dimensions: [Component] = [], timeDimension: Component? = nil,
            attributes: [Component] = [], measures: [Component] = [], groups: [Group] = [], isExternal: Bool = false
        ) {
            self.reference = reference
            self.names = names
            self.dimensions = dimensions
            self.timeDimension = timeDimension
            self.attributes = attributes
            self.measures = measures
            self.groups = groups
            self.isExternal = isExternal
        }
    }

    public struct Dataflow: Sendable, Hashable {
        public var reference: Reference
        public var names: [Name]
        /// The data structure definition its data follows.
        public var structure: Reference?
        public var isExternal: Bool

        public init(reference: Reference, names: [Name] = [], structure: Reference? = nil, isExternal: Bool = false) {
            self.reference = reference
            self.names = names
            self.structure = structure
            self.isExternal = isExternal
        }
    }

    public var codelists: [Codelist] = []
    public var conceptSchemes: [ConceptScheme] = []
    public var dataStructures: [DataStructure] = []
    public var dataflows: [Dataflow] = []
    /// What a user should know that did not stop the read: lists defined elsewhere, items
    /// skipped for a missing id, references nothing in the message answers.
    public var warnings: [String] = []

    public init() {}
}

extension SDMXStructureMessage.Reference {
    /// The artefact a URN names, and the item inside it when it names one:
    /// `urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept=SDMX:CROSS_DOMAIN_CONCEPTS(1.0).FREQ`
    /// → (`SDMX:CROSS_DOMAIN_CONCEPTS(1.0)`, `FREQ`). Nil when the text is not a URN of that shape.
    static func urn(_ text: String) -> (reference: Self, item: String?)? {
        let trimmed = text.trimmingXMLWhitespace
        guard let equals = trimmed.firstIndex(of: "=") else { return nil }
        var rest = trimmed[trimmed.index(after: equals)...]
        var agency: String?
        if let colon = rest.firstIndex(of: ":"), rest[..<colon].allSatisfy({ $0 != "(" }) {
            agency = String(rest[..<colon])
            rest = rest[rest.index(after: colon)...]
        }
        let id = rest.prefix { $0 != "(" && $0 != "." }
        guard !id.isEmpty else { return nil }
        rest = rest[id.endIndex...]
        var version: String?
        if rest.first == "(", let close = rest.firstIndex(of: ")") {
            version = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
        }
        var item: String?
        if rest.first == "." {
            let tail = rest.dropFirst()
            if !tail.isEmpty { item = String(tail) }
        }
        return (Self(agency: agency?.isEmpty == true ? nil : agency, id: String(id), version: version), item)
    }
}
