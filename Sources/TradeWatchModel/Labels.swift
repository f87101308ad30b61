/// A name a publisher gives one code of one component (a dimension or an attribute) of a
/// dataset: SDMX codelists, Comtrade's reference lists, a CSV label column.
///
/// Identity in a source is (dataset, component, code, language); the name and parent are
/// content a later release may revise, and the cache keeps every version.
public struct CodeLabel: Sendable, Hashable, Codable {
    /// The dimension or attribute id as the data uses it (`PARTNER`, `CMD`, `OBS_STATUS`).
    public var component: String
    public var code: String
    /// The language as published (`en`, `fr`, `zh-Hans`); empty when the publisher does not say.
    public var language: String
    /// As published: decoded text, never markup.
    public var name: String
    /// The parent code in a hierarchical list (HS `6704` → `67`), when given.
    public var parent: String?

    public init(component: String, code: String, language: String = "", name: String, parent: String? = nil) {
        self.component = component
        self.code = code
        self.language = language
        self.name = name
        self.parent = parent
    }
}

/// What a dataset is, as its publisher's structure definition says: its title, its
/// dimensions in key order, its attributes with where they attach, and its measure.
public struct DatasetStructure: Sendable, Hashable, Codable {
    /// A name in one language.
    public struct Name: Sendable, Hashable, Codable {
        public var language: String
        public var text: String
        public init(language: String, text: String) {
            self.language = language
            self.text = text
        }
    }

    /// Where an attribute's value attaches (SDMX 2.1 `AttributeRelationship`, 3.0 `AttributeRelationship`).
    public enum Attachment: String, Sendable, Hashable, Codable {
        /// `None` / `Dataflow`: one value for the whole dataset.
        case dataset
        /// A group of dimensions declared by the structure (`Group`, or dimensions with an `AttachmentGroup`).
        case group
        /// Some or all of the dimensions (all but time: a series attribute).
        case dimensions
        /// `PrimaryMeasure` / `Observation`: one value per observation.
        case observation
    }

    public struct Component: Sendable, Hashable, Codable {
        public var id: String
        /// The concept's names (what `PARTNER` means), every language given.
        public var names: [Name]
        /// The codelist that enumerates its values, `AGENCY:ID(VERSION)`, when coded.
        public var codelist: String?
        /// For attributes: where it attaches, and the dimensions or group it names.
        public var attachment: Attachment?
        public var attachedTo: [String]
        /// For attributes: `Mandatory` or `Conditional`, as declared.
        public var mandatory: Bool?

        public init(
            id: String, names: [Name] = [], codelist: String? = nil, attachment: Attachment? = nil,
            attachedTo: [String] = [], mandatory: Bool? = nil
        ) {
            self.id = id
            self.names = names
            self.codelist = codelist
            self.attachment = attachment
            self.attachedTo = attachedTo
            self.mandatory = mandatory
        }
    }

    /// The dataset id observations are stored under (the dataflow's id).
    public var dataset: String
    /// The dataset's title in every language given (the dataflow's name, else the structure's).
    public var names: [Name]
    /// The structure definition it comes from, `AGENCY:ID(VERSION)`, when there is one.
    public var reference: String?
    /// The dimensions in key order, without the time dimension.
    public var dimensions: [Component]
    public var timeDimension: String?
    public var attributes: [Component]
    /// The primary measure's id (`OBS_VALUE`), or the measures of a 3.0 structure.
    public var measures: [Component]

    public init(
        dataset: String, names: [Name] = [], reference: String? = nil, dimensions: [Component] = [],
        timeDimension: String? = nil, attributes: [Component] = [], measures: [Component] = []
    ) {
        self.dataset = dataset
        self.names = names
        self.reference = reference
        self.dimensions = dimensions
        self.timeDimension = timeDimension
        self.attributes = attributes
        self.measures = measures
    }
}

extension Array where Element == DatasetStructure.Name {
    /// The name to show: English, else one without a language, else the first.
    public var preferred: String? {
        (first { $0.language.lowercased() == "en" || $0.language.lowercased().hasPrefix("en-") }
            ?? first { $0.language.isEmpty } ?? first)?.text
    }
}

/// The labels one payload carries for one dataset.
public struct LabelBatch: Sendable, Hashable {
    public var dataset: String
    /// The structure, when the payload defines one (an SDMX structure message); replaces the
    /// stored one.
    public var structure: DatasetStructure?
    public var labels: [CodeLabel]
    /// The components whose codes `labels` lists completely (a codelist, a reference file):
    /// a stored label of such a component that the batch lacks is withdrawn. Labels of other
    /// components are only added or revised (descriptions that come with data name the codes
    /// the data uses, and say nothing of the others).
    public var complete: Set<String>

    public init(dataset: String, structure: DatasetStructure? = nil, labels: [CodeLabel], complete: Set<String> = []) {
        self.dataset = dataset
        self.structure = structure
        self.labels = labels
        self.complete = complete
    }
}
