import Foundation
import TradeWatchFetch
import TradeWatchFormats
import TradeWatchModel

/// `tradewatch inspect` of an SDMX-ML structure message (a dataflow with its references, as
/// an `sdmx` source fetches for its names): what the daemon would store of it, per dataset.
struct InspectStructure {
    var report: InspectReport
    var body: FetchBody
    var place: String
    var json: Bool

    /// Whether the document's root element is an SDMX-ML `Structure` message.
    static func isStructure(_ head: Data, detected: PayloadKind) -> Bool {
        detected == .sdmxML && FormatSniffer.rootElement(head) == "Structure"
    }

    /// `inspect --json` of a structure message.
    struct Report: Encodable {
        struct Dataset: Encodable {
            var dataset: String
            var structure: DatasetStructure?
            /// Codes with names, per component.
            var codes: [String: Int]
            var labels: [CodeLabel]
            /// The components whose codes the message lists completely.
            var complete: [String]
        }

        var input: String
        var detected: String
        var format = "sdmx-ml-structure"
        var warnings: [String]
        var datasets: [Dataset]
    }

    func run() throws {
        let message: SDMXStructureMessage
        do {
            message = try SDMXStructureReader.read(url: place) { feed in try body.withChunks { try feed($0) } }
        } catch let error as StatisticsError {
            throw CommandFailure(message: "\(place): \(error)", exitCode: 1)
        }
        let batches = message.batches()
        let datasets = batches.map { batch in
            var codes: [String: Int] = [:]
            var distinct: [String: Set<String>] = [:]
            for label in batch.labels { distinct[label.component, default: []].insert(label.code) }
            for (component, set) in distinct { codes[component] = set.count }
            return Report.Dataset(
                dataset: batch.dataset, structure: batch.structure, codes: codes, labels: batch.labels,
                complete: batch.complete.sorted())
        }
        if json {
            try Terminal.printJSON(
                Report(input: report.input, detected: "sdmx-ml", warnings: message.warnings, datasets: datasets))
            return
        }
        func show(_ line: String) { Terminal.print(TerminalText.line(line)) }
        show("input          \(report.input)")
        if let file = report.file { show("file           \(file.path) (\(file.bytes) bytes)") }
        show("format         sdmx-ml structure message")
        show("datasets       \(datasets.count)")
        for dataset in datasets {
            let structure = dataset.structure
            let title = structure?.names.preferred.map { " — " + $0 } ?? ""
            show("  \(dataset.dataset)\(title)")
            if let reference = structure?.reference { show("    structure   \(reference)") }
            if let structure {
                let time = structure.timeDimension.map { "; time \($0)" } ?? ""
                show("    dimensions  \(structure.dimensions.map(\.id).joined(separator: ", "))\(time)")
                let attributes = structure.attributes.map { "\($0.id) (\($0.attachment?.rawValue ?? "?"))" }
                if !attributes.isEmpty { show("    attributes  \(attributes.joined(separator: ", "))") }
                if !structure.measures.isEmpty {
                    show("    measures    \(structure.measures.map(\.id).joined(separator: ", "))")
                }
            }
            let named = dataset.codes.keys.sorted().map { "\($0) \(dataset.codes[$0] ?? 0)" }
            let languages = Set(dataset.labels.map(\.language)).sorted().map { $0.isEmpty ? "(none)" : $0 }
            show("    codes       \(named.isEmpty ? "none" : named.joined(separator: ", "))")
            if !languages.isEmpty { show("    languages   \(languages.joined(separator: ", "))") }
        }
        for warning in message.warnings { show("warning        \(warning)") }
    }
}
