public import Foundation

/// Reads SDMX-ML structure messages as they stream in: 2.1 `Structure` and 3.0 `Structure`
/// messages (what `…/dataflow/AGENCY/ID/VERSION?references=all` answers), with their
/// codelists, concept schemes, data structure definitions and dataflows. Memory holds what the
/// message defines and one open item, never the document.
///
/// ```swift
/// let message = try SDMXStructureReader.read(url: url) { feed in try feed(body) }
/// let batch = message.batch(for: "EXR")   // the dataflow's structure and labels
/// ```
public final class SDMXStructureReader {
    private let handler = SDMXStructureHandler()
    private let xml: XMLStreamReader

    /// - Parameter url: the document's URL, for messages only.
    public init(url: String? = nil) {
        xml = XMLStreamReader(handler: handler, url: url)
    }

    public func feed(_ data: Data) {
        xml.feed(data)
    }

    /// Ends the message. Throws when it was broken, an SDMX error message, or not a structure
    /// message at all — never returning part of a message as the whole of it.
    public func finish() throws -> SDMXStructureMessage {
        let report = xml.finish()
        guard let root = handler.root else {
            throw StatisticsError(.malformed, "not an XML document")
        }
        if root == "Error" {
            let text = handler.errorText.joined(separator: " ")
            throw StatisticsError(
                .publisherError, "the service answered with an SDMX error: \(text.isEmpty ? "(no text)" : text)")
        }
        let namespace = handler.rootNamespace ?? ""
        guard root == "Structure", namespace.hasPrefix(SDMXStructureHandler.sdmxSchemas) else {
            if SDMXMLReader.Handler.dataRoots.contains(root) {
                throw StatisticsError(
                    .malformed, "an SDMX data message, not a structure message (the document is <\(root)>)")
            }
            throw StatisticsError(.malformed, "not an SDMX structure message (the document is <\(root)>)")
        }
        guard namespace.contains("/v2_1/") || namespace.contains("/v3_") else {
            throw StatisticsError(
                .malformed,
                "an SDMX-ML structure message of a version not read (namespace \(namespace)); 2.1 and 3.0 are")
        }
        if !report.wellFormed {
            let first = report.issues.first { $0.isError } ?? report.issues.first
            throw StatisticsError(
                .malformed, "broken XML: \(first?.message ?? "not well-formed")",
                place: first.map { "line \($0.line), column \($0.column)" })
        }
        for warning in handler.message.unresolvedReferences() { handler.warn(warning) }
        handler.finishWarnings()
        return handler.message
    }

    /// Reads a whole message from `chunks`.
    public static func read(
        url: String? = nil, chunks: ((Data) throws -> Void) throws -> Void
    ) throws -> SDMXStructureMessage {
        let reader = SDMXStructureReader(url: url)
        try chunks { reader.feed($0) }
        return try reader.finish()
    }

    /// Reads a whole message held in memory.
    public static func read(_ data: Data, url: String? = nil) throws -> SDMXStructureMessage {
        try read(url: url) { feed in try feed(data) }
    }
}
