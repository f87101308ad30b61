public import TradeWatchModel

/// One of UN Comtrade's public reference files: the keyless JSON lists, under
/// `files/v1/app/reference/` of the API's host, that name the codes the data uses
/// (`{"results": [{"id": 156, "text": "China", …}, …]}`).
public struct ComtradeReferenceDocument: Sendable, Hashable, CustomStringConvertible {
    /// The category `ListofReferences.json` files it under (`reporter`, `partner`, `cmd:H5`).
    public var category: String
    /// Its file name in the reference folder (`Reporters.json`).
    public var file: String
    /// The dimensions of Comtrade data whose codes it names, as `ComtradeReader` builds keys
    /// (`REPORTER`; `PARTNER` and `PARTNER2` share the list of partner areas).
    public var components: [String]
    /// For a product classification, its code as the API takes it (`HS`, `H5`, `S4`, `EB`).
    public var classification: String?

    public init(category: String, file: String, components: [String], classification: String? = nil) {
        self.category = category
        self.file = file
        self.components = components
        self.classification = classification
    }

    public var description: String { "Comtrade reference \(file) (\(components.joined(separator: ", ")))" }
}

/// The table of UN Comtrade's reference files, where each lies, and their reader.
///
/// Files and categories are those `ListofReferences.json` lists (what the official
/// `comtradeapicall` package's `listReference`/`getReference` read); every one of them
/// answers without a subscription key. The sync engine fetches, for a Comtrade source, the
/// documents `documents(classification:)` gives, each at `url(of:baseURL:)`, and stores what
/// `read` returns as one `LabelBatch` of the source's dataset with `complete` set.
public enum ComtradeReference {
    /// The folder of the reference files, below the API's base URL.
    public static let folder = "files/v1/app/reference/"

    /// The index of every reference file: `{"results": [{"category", "variable",
    /// "description", "fileuri"}]}`. Read with `readIndex`.
    public static let indexFile = "ListofReferences.json"

    /// The areas and codes every goods or services query uses, whatever its classification.
    public static let common: [ComtradeReferenceDocument] = [
        ComtradeReferenceDocument(category: "reporter", file: "Reporters.json", components: ["REPORTER"]),
        ComtradeReferenceDocument(
            category: "partner", file: "partnerAreas.json", components: ["PARTNER", "PARTNER2"]),
        ComtradeReferenceDocument(category: "flow", file: "tradeRegimes.json", components: ["FLOW"]),
        ComtradeReferenceDocument(category: "customs", file: "CustomsCodes.json", components: ["CUSTOMS"]),
        ComtradeReferenceDocument(category: "mot", file: "ModeOfTransportCodes.json", components: ["MOT"]),
        ComtradeReferenceDocument(category: "freq", file: "Frequency.json", components: ["FREQ"]),
    ]

    /// The product classifications the API serves, each with a file of its codes named after
    /// it: HS as combined (`HS`) and by edition (`H0` 1992 … `H6` 2022), SITC (`S1`…`S4`,
    /// combined `SS`), BEC (`B4`, `B5`) and EBOPS for services (`EB`, `EB02`, `EB10`, `EB10S`).
    public static let classifications = [
        "HS", "H0", "H1", "H2", "H3", "H4", "H5", "H6", "SS", "S1", "S2", "S3", "S4", "B4", "B5", "EB", "EB02",
        "EB10", "EB10S",
    ]

    /// Every document the table knows: the common ones, then one per classification.
    public static var documents: [ComtradeReferenceDocument] {
        common + classifications.compactMap(product)
    }

    /// The file of a product classification's codes (`H5` → `H5.json`, labelling `CMD`), or
    /// nil for a code the API does not publish a list of.
    public static func product(_ classification: String) -> ComtradeReferenceDocument? {
        let code = classification.uppercased()
        guard classifications.contains(code) else { return nil }
        return ComtradeReferenceDocument(
            category: "cmd:\(code)", file: "\(code).json", components: ["CMD"], classification: code)
    }

    /// What a source querying `classification` (its `classification` key, `HS` by default)
    /// needs to name every dimension of its data that has a list: the common documents and its
    /// classification's, when the API publishes one.
    public static func documents(classification: String) -> [ComtradeReferenceDocument] {
        common + [product(classification)].compactMap { $0 }
    }

    /// The document `ListofReferences.json` files under `category`, when the table knows it.
    public static func document(category: String) -> ComtradeReferenceDocument? {
        documents.first { $0.category.lowercased() == category.lowercased() }
    }

    /// Where `document` lies for an API at `baseURL` (a source's `base_url`, by default
    /// `https://comtradeapi.un.org`): `https://comtradeapi.un.org/files/v1/app/reference/Reporters.json`.
    public static func url(of document: ComtradeReferenceDocument, baseURL: String) -> String {
        url(file: document.file, baseURL: baseURL)
    }

    /// Where `document` lies when the reference files are kept in `folder` (a source's
    /// `reference_url`, e.g. `https://mirror.example/comtrade/reference/`).
    public static func url(of document: ComtradeReferenceDocument, folder: String) -> String {
        String(folder.reversed().drop { $0 == "/" }.reversed()) + "/" + document.file
    }

    /// Where the index lies for an API at `baseURL`.
    public static func indexURL(baseURL: String) -> String {
        url(file: indexFile, baseURL: baseURL)
    }

    private static func url(file: String, baseURL: String) -> String {
        String(baseURL.reversed().drop { $0 == "/" }.reversed()) + "/" + folder + file
    }
}

/// What one reference file names.
public struct ComtradeReferenceLabels: Sendable, Equatable {
    /// One label per code and component, in the file's order, language `en`.
    public var labels: [CodeLabel] = []
    /// The components the file lists completely (`LabelBatch.complete`): its document's.
    public var complete: Set<String> = []
    /// Things a user should know that did not stop the read (codes listed twice).
    public var warnings: [String] = []

    public init() {}
}

/// One line of `ListofReferences.json`.
public struct ComtradeReferenceIndexEntry: Sendable, Equatable {
    /// `reporter`, `cmd:H5`… (`ComtradeReference.document(category:)` finds its document).
    public var category: String
    /// What the list is, as published (`Reporter`, `Product [HS 2017]`).
    public var variable: String?
    public var description: String?
    /// The file's absolute address as the index gives it.
    public var fileURI: String

    public init(category: String, variable: String? = nil, description: String? = nil, fileURI: String) {
        self.category = category
        self.variable = variable
        self.description = description
        self.fileURI = fileURI
    }
}
