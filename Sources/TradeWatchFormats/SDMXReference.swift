import Foundation

/// What an SDMX data message says its data follows: the dataflow and the data structure
/// definition its header or structure section references. The sync engine names a source's
/// dataset after it when the configuration does not.
public struct SDMXReference: Sendable, Equatable, CustomStringConvertible {
    /// The dataflow's id (`EXR`): SDMX-ML `StructureUsage`, an SDMX-JSON `dataflow` link.
    public var dataflow: String?
    /// The data structure definition's id (`ECB_EXR1`): SDMX-ML `Structure`, a
    /// `datastructure` link.
    public var structure: String?

    public init(dataflow: String? = nil, structure: String? = nil) {
        self.dataflow = dataflow
        self.structure = structure
    }

    public var description: String {
        "dataflow \(dataflow ?? "none"), data structure \(structure ?? "none")"
    }

    /// From SDMX-JSON `links` (`[{"rel": "dataflow", "urn": …, "href": …}]`).
    init(links: Any?) {
        for case let link as [String: Any] in links as? [Any] ?? [] {
            let rel = (link["rel"] as? String)?.lowercased()
            let id =
                (link["urn"] as? String).flatMap { Self.urn($0)?.id }
                ?? (link["href"] as? String).flatMap { Self.idInPath($0, after: rel ?? "") }
            guard let id else { continue }
            if rel == "dataflow", dataflow == nil { dataflow = id }
            if rel == "datastructure", structure == nil { structure = id }
        }
    }

    /// Sets the reference a URN names (`urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=ECB:EXR(1.0)`):
    /// a dataflow or a data structure; anything else (a provision agreement) names neither.
    mutating func set(urn text: String) {
        guard let (kind, id) = Self.urn(text) else { return }
        switch kind {
        case "dataflow": dataflow = dataflow ?? id
        case "datastructure": structure = structure ?? id
        default: break
        }
    }

    /// `…Dataflow=AGENCY:ID(VERSION)` → (`dataflow`, `ID`).
    static func urn(_ text: String) -> (kind: String, id: String)? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let equals = trimmed.firstIndex(of: "=") else { return nil }
        let kind = trimmed[..<equals].split(separator: ".").last.map { $0.lowercased() } ?? ""
        var rest = trimmed[trimmed.index(after: equals)...]
        if let colon = rest.firstIndex(of: ":") { rest = rest[rest.index(after: colon)...] }
        let id = rest.prefix { $0 != "(" && $0 != ":" && !$0.isWhitespace }
        return id.isEmpty ? nil : (kind, String(id))
    }

    /// `https://host/rest/dataflow/ECB/EXR/1.0` → `EXR`: the id after the agency, skipping the
    /// wildcards some services put in its place (`…/dataflow/PART2/all`).
    static func idInPath(_ href: String, after segment: String) -> String? {
        guard !segment.isEmpty else { return nil }
        let path = href.split(separator: "?").first.map(String.init) ?? href
        let parts = path.split(separator: "/").map(String.init)
        guard let start = parts.lastIndex(where: { $0.lowercased() == segment }) else { return nil }
        let named = parts[(start + 1)...].filter { !["all", "latest", "*", "~"].contains($0.lowercased()) }
        guard let firstPart = named.first else { return nil }
        return named.count >= 2 ? named[named.startIndex + 1] : firstPart
    }
}
