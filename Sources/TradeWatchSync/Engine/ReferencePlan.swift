public import Foundation
public import TradeWatchFormats
import TradeWatchModel

/// A document a source needs beside its data, for the names of its codes: an SDMX dataflow's
/// structure (its codelists), a UN Comtrade reference list. Each has its own validators and
/// schedule in the cache (`ReferenceState`), so it never disturbs the data's.
public struct ReferenceDocument: Sendable, Equatable {
    public enum Content: Sendable, Equatable {
        /// An SDMX structure message; `dataset` is the dataset its batch is stored under
        /// (nil for a whole-`url` source: each dataflow's own id).
        case sdmxStructure(dataset: String?, dataflow: String?)
        /// A Comtrade reference file labelling its components of `dataset`.
        case comtradeReference(ComtradeReferenceDocument, dataset: String)
    }

    /// Stable within the source, and naming the dataset it is stored under:
    /// `structure:TRADE_CN_KP`, `comtrade/C/M/HS:reporter`.
    public var name: String
    public var request: PlannedRequest
    /// How long a fetched document is trusted before it is asked for again (conditionally).
    public var refresh: Duration
    public var content: Content
}

/// Which reference documents a source's configuration asks for.
public enum ReferencePlanner {
    public static let structureRefresh: Duration = .seconds(24 * 3600)
    public static let comtradeRefresh: Duration = .seconds(7 * 24 * 3600)

    public static func documents(for source: SourceConfiguration) -> [ReferenceDocument] {
        switch source.kind {
        case .sdmx(let sdmx):
            guard sdmx.structure, let url = structureURL(sdmx) else { return [] }
            let accept =
                sdmx.api == .v3_0 && sdmx.url == nil
                ? "application/vnd.sdmx.structure+xml;version=3.0.0, application/xml;q=0.5"
                : "application/vnd.sdmx.structure+xml;version=2.1, application/xml;q=0.5"
            let dataflow = (sdmx.flow ?? sdmx.url.flatMap(SourcePlanner.flowInURL)).map(flowID)
            // Named after the dataset it is stored under: a changed flow is a new document,
            // fetched afresh rather than found unchanged under its old validators.
            let dataset = SourcePlanner.sdmxDataset(sdmx)
            return [
                ReferenceDocument(
                    name: "structure" + (dataset.map { ":" + $0 } ?? ""),
                    request: PlannedRequest(
                        url: url, headers: [PlannedRequest.Header(name: "Accept", value: accept)], secrets: [],
                        mode: .snapshot, scope: .none, conditional: true),
                    refresh: structureRefresh,
                    content: .sdmxStructure(dataset: dataset, dataflow: dataflow))
            ]
        case .comtrade(let comtrade):
            guard comtrade.referenceData else { return [] }
            let dataset = SourcePlanner.comtradeDataset(comtrade)
            return ComtradeReference.documents(classification: comtrade.classification).map { file in
                let url =
                    comtrade.referenceURL.map { ComtradeReference.url(of: file, folder: $0) }
                    ?? ComtradeReference.url(of: file, baseURL: comtrade.baseURL)
                // Per dataset (`comtrade/C/M/HS`): another type, frequency or classification
                // is another dataset, whose names are fetched for it.
                return ReferenceDocument(
                    name: dataset + ":" + file.category,
                    request: PlannedRequest(
                        url: url, headers: [PlannedRequest.Header(name: "Accept", value: "application/json")],
                        secrets: [], mode: .snapshot, scope: .none, conditional: true),
                    refresh: comtradeRefresh, content: .comtradeReference(file, dataset: dataset))
            }
        case .feed, .csv:
            return []
        }
    }

    /// Where an SDMX source's structure is: `structure_url` when given; else the dataflow
    /// query with its references (2.1 `BASE/dataflow/AGENCY/ID/VERSION?references=all`, 3.0
    /// `BASE/structure/dataflow/AGENCY/ID/VERSION?references=all`), `all`/`latest` (2.1) or
    /// `*`/`~` (3.0) for what the flow leaves out. For a whole `url`, BASE and the flow come
    /// from the URL (`…/data/FLOW/KEY`); nil when it names no flow.
    public static func structureURL(_ sdmx: SDMXSource) -> String? {
        if let configured = sdmx.structureURL { return configured }
        let base: String
        let flow: String
        var api = sdmx.api
        if let whole = sdmx.url {
            let path = whole.split(separator: "?", maxSplits: 1).first.map(String.init) ?? whole
            guard let range = path.range(of: "/data/", options: .backwards),
                let named = SourcePlanner.flowInURL(whole)
            else { return nil }
            base = String(path[..<range.lowerBound])
            flow = named
            api = path[range.upperBound...].hasPrefix("dataflow/") ? .v3_0 : .v2_1
            if api == .v3_0 {
                // `data/dataflow/AGENCY/ID/VERSION/KEY`: the version is the segment after the id.
                let parts = path[range.upperBound...].split(separator: "/").map(String.init)
                let version = parts.count > 3 ? parts[3] : "~"
                return base + "/structure/dataflow/" + flow.replacingOccurrences(of: ",", with: "/") + "/" + version
                    + "?references=all"
            }
        } else {
            guard let configuredBase = sdmx.baseURL, let configuredFlow = sdmx.flow else { return nil }
            base = trimmed(configuredBase)
            flow = configuredFlow
        }
        let parts = flow.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let (agency, id, version): (String?, String, String?) =
            parts.count >= 3
            ? (parts[0], parts[1], parts[2]) : parts.count == 2 ? (parts[0], parts[1], nil) : (nil, flow, nil)
        guard !id.isEmpty else { return nil }
        switch api {
        case .v2_1:
            return "\(base)/dataflow/\(agency ?? "all")/\(id)/\(version ?? "latest")?references=all"
        case .v3_0:
            return "\(base)/structure/dataflow/\(agency ?? "*")/\(id)/\(version ?? "~")?references=all"
        }
    }

    private static func flowID(_ flow: String) -> String {
        let parts = flow.split(separator: ",", omittingEmptySubsequences: false)
        return parts.count >= 2 ? String(parts[1]) : flow
    }

    private static func trimmed(_ url: String) -> String {
        String(url.reversed().drop { $0 == "/" }.reversed())
    }
}
