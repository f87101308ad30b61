public import Foundation
public import TradeWatchFormats
public import TradeWatchModel

/// One HTTP request a sync makes, with what its answer speaks for.
public struct PlannedRequest: Sendable, Equatable {
    public var url: String
    public var headers: [Header]
    /// Values to hide from every log line, error and stored URL.
    public var secrets: [String]
    public var mode: Pull.Mode
    public var scope: ObservationScope
    /// Whether stored validators (ETag, Last-Modified, payload hash) may short-cut it: only
    /// for a source that is one request, always the same.
    public var conditional: Bool

    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String
    }
}

/// What a sync of a source needs to know from earlier syncs to plan its requests.
public struct PlanContext: Sendable {
    /// The start of the last successful pull (SDMX `updatedAfter`).
    public var lastPullStarted: Date?
    /// A permanent redirect seen earlier, used instead of the configured URL.
    public var urlOverride: String?
    /// The credential's value, when the source has one.
    public var secret: String?

    public init(lastPullStarted: Date? = nil, urlOverride: String? = nil, secret: String? = nil) {
        self.lastPullStarted = lastPullStarted
        self.urlOverride = urlOverride
        self.secret = secret
    }
}

/// Turns a source's configuration into the requests of one sync.
public enum SourcePlanner {
    public static func requests(for source: SourceConfiguration, context: PlanContext) -> [PlannedRequest] {
        switch source.kind {
        case .feed(let feed):
            return [
                PlannedRequest(
                    url: context.urlOverride ?? feed.url, headers: [accept(feedAccept)], secrets: [], mode: .snapshot,
                    scope: .none, conditional: true)
            ]
        case .csv(let csv):
            return [
                PlannedRequest(
                    url: context.urlOverride ?? csv.url, headers: [accept("text/csv, text/plain;q=0.8, */*;q=0.1")],
                    secrets: [], mode: .snapshot, scope: ObservationScope(datasets: [csv.dataset]), conditional: true)
            ]
        case .sdmx(let sdmx):
            return [sdmxRequest(sdmx, context: context)]
        case .comtrade(let comtrade):
            return comtradeRequests(comtrade, secret: context.secret)
        }
    }

    static let feedAccept =
        "application/atom+xml, application/rss+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"

    private static func accept(_ value: String) -> PlannedRequest.Header {
        PlannedRequest.Header(name: "Accept", value: value)
    }

    // MARK: SDMX

    /// The dataset id observations of an SDMX source are stored under, when the configuration
    /// says: the configured flow's id. Nil for a whole `url`, whose dataset comes from the
    /// message (see `sdmxDataset(_:reference:)`).
    public static func sdmxDataset(_ sdmx: SDMXSource) -> String? {
        sdmx.flow.map(flowID)
    }

    /// The dataset id of an SDMX source's observations: the configured flow's id; for a whole
    /// `url`, the dataflow the message references, else the flow the URL's path names
    /// (`data/AGENCY,FLOW,VERSION/`), else the data structure the message references, else
    /// `sdmx`. (A URL's flow goes before the data structure: the dataset is the flow's id,
    /// and a DSD such as `ECB_EXR1` serves several flows.)
    public static func sdmxDataset(_ sdmx: SDMXSource, reference: SDMXReference) -> String {
        if let configured = sdmxDataset(sdmx) { return configured }
        return reference.dataflow ?? sdmx.url.flatMap(flowInURL).map(flowID) ?? reference.structure ?? "sdmx"
    }

    /// `AGENCY,ID,VERSION` → `ID`; a bare id stays.
    static func flowID(_ flow: String) -> String {
        let parts = flow.split(separator: ",", omittingEmptySubsequences: false)
        return parts.count >= 2 ? String(parts[1]) : flow
    }

    /// The flow a whole SDMX query URL names: `…/data/FLOW/KEY` (2.1) or
    /// `…/data/dataflow/AGENCY/ID/VERSION/KEY` (3.0). Percent-escapes in the path
    /// (`ECB%2CEXR%2C1.0`) are undone.
    static func flowInURL(_ url: String) -> String? {
        let path = url.split(separator: "?").first.map(String.init) ?? url
        let parts = path.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
        guard let data = parts.lastIndex(of: "data"), data + 1 < parts.count else { return nil }
        if parts[data + 1] == "dataflow", data + 3 < parts.count { return parts[data + 2] + "," + parts[data + 3] }
        return parts[data + 1].isEmpty ? nil : parts[data + 1]
    }

    private static func sdmxRequest(_ sdmx: SDMXSource, context: PlanContext) -> PlannedRequest {
        let incremental = sdmx.incremental ? context.lastPullStarted : nil
        var url: String
        var query: [(String, String)] = []
        if let whole = sdmx.url {
            url = whole
        } else {
            let base = String((sdmx.baseURL ?? "").reversed().drop { $0 == "/" }.reversed())
            let flow = sdmx.flow ?? ""
            let key = sdmx.key.isEmpty ? (sdmx.api == .v3_0 ? "*" : "all") : sdmx.key
            switch sdmx.api {
            case .v2_1:
                url = "\(base)/data/\(flow)/\(key)"
                if let start = sdmx.startPeriod { query.append(("startPeriod", start)) }
                if let end = sdmx.endPeriod { query.append(("endPeriod", end)) }
            case .v3_0:
                let parts = flow.split(separator: ",").map(String.init)
                let (agency, id, version) =
                    parts.count >= 3
                    ? (parts[0], parts[1], parts[2]) : parts.count == 2 ? (parts[0], parts[1], "*") : ("*", flow, "*")
                url = "\(base)/data/dataflow/\(agency)/\(id)/\(version)/\(key)"
                var bounds: [String] = []
                if let start = sdmx.startPeriod { bounds.append("ge:\(start)") }
                if let end = sdmx.endPeriod { bounds.append("le:\(end)") }
                if !bounds.isEmpty { query.append(("c[TIME_PERIOD]", bounds.joined(separator: "+"))) }
            }
        }
        if let incremental { query.append(("updatedAfter", Timestamp.format(incremental))) }
        url = appending(query, to: url)
        let acceptValue: String
        switch (sdmx.api, sdmx.format) {
        case (.v2_1, .ml):
            acceptValue =
                "application/vnd.sdmx.genericdata+xml;version=2.1, application/vnd.sdmx.structurespecificdata+xml;version=2.1;q=0.9, application/xml;q=0.5"
        case (.v2_1, .json): acceptValue = "application/vnd.sdmx.data+json;version=1.0.0, application/json;q=0.5"
        case (.v3_0, .ml): acceptValue = "application/vnd.sdmx.data+xml;version=3.0.0, application/xml;q=0.5"
        case (.v3_0, .json): acceptValue = "application/vnd.sdmx.data+json;version=2.0.0, application/json;q=0.5"
        }
        // A whole URL's dataset comes from the message: its scope is the source's data.
        var scope = ObservationScope(datasets: sdmxDataset(sdmx).map { [$0] })
        scope.periodsFrom = sdmx.startPeriod.flatMap { Period($0).start }
        scope.periodsThrough = sdmx.endPeriod.flatMap { Period($0).end }
        return PlannedRequest(
            url: context.urlOverride ?? url, headers: [accept(acceptValue)], secrets: [],
            mode: incremental == nil ? .snapshot : .delta, scope: scope, conditional: incremental == nil)
    }

    // MARK: Comtrade

    /// The dataset id Comtrade observations are stored under, e.g. `comtrade/C/M/HS`.
    public static func comtradeDataset(_ comtrade: ComtradeSource) -> String {
        "comtrade/\(comtrade.typeCode)/\(comtrade.frequency)/\(comtrade.classification)"
    }

    private static func comtradeRequests(_ comtrade: ComtradeSource, secret: String?) -> [PlannedRequest] {
        let base = String(comtrade.baseURL.reversed().drop { $0 == "/" }.reversed())
        let path =
            (comtrade.preview ? "/public/v1/preview/" : "/data/v1/get/")
            + "\(comtrade.typeCode)/\(comtrade.frequency)/\(comtrade.classification)"
        var requests: [PlannedRequest] = []
        var start = 0
        while start < comtrade.periods.count {
            let chunk = Array(comtrade.periods[start..<min(start + comtrade.periodsPerCall, comtrade.periods.count)])
            start += comtrade.periodsPerCall
            var query: [(String, String)] = [
                ("reporterCode", comtrade.reporters.joined(separator: ",")),
                ("period", chunk.joined(separator: ",")),
            ]
            var dimensions: [String: Set<String>] = ["REPORTER": Set(comtrade.reporters)]
            for (parameter, dimension, codes) in [
                ("partnerCode", "PARTNER", comtrade.partners), ("partner2Code", "PARTNER2", comtrade.partners2),
                ("cmdCode", "CMD", comtrade.commodities), ("flowCode", "FLOW", comtrade.flows),
                ("customsCode", "CUSTOMS", comtrade.customsCodes), ("motCode", "MOT", comtrade.transportModes),
            ] where !codes.isEmpty {
                query.append((parameter, codes.joined(separator: ",")))
                dimensions[dimension] = Set(codes)
            }
            // The descriptions come back beside the codes, and become their labels.
            query.append(("includeDesc", "true"))
            if let secret, !comtrade.preview { query.append(("subscription-key", secret)) }
            var scope = ObservationScope(datasets: [comtradeDataset(comtrade)], dimensions: dimensions)
            scope.periodTexts = Set(chunk.map(ComtradeCodes.periodText))
            requests.append(
                PlannedRequest(
                    url: appending(query, to: base + path), headers: [accept("application/json")],
                    secrets: secret.map { [$0] } ?? [], mode: .snapshot, scope: scope, conditional: false))
        }
        return requests
    }

    private static func appending(_ query: [(String, String)], to url: String) -> String {
        guard !query.isEmpty else { return url }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+;#")
        let encoded = query.map { name, value in
            (name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name) + "="
                + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
        }
        return url + (url.contains("?") ? "&" : "?") + encoded.joined(separator: "&")
    }
}

/// Comtrade's codes as the cache stores them.
public enum ComtradeCodes {
    /// `201906` → `2019-06`; `2019` stays.
    public static func periodText(_ code: String) -> String {
        guard code.count == 6 else { return code }
        return String(code.prefix(4)) + "-" + String(code.suffix(2))
    }
}

extension ObservationScope {
    /// Widens this scope to cover `other` too: what several calls of one sync speak for.
    mutating func formUnion(_ other: ObservationScope) {
        guard other.coversAnything else { return }
        guard coversAnything else {
            self = other
            return
        }
        if let mine = datasets, let theirs = other.datasets { datasets = mine.union(theirs) } else { datasets = nil }
        var merged: [String: Set<String>] = [:]
        for (dimension, values) in dimensions {
            if let more = other.dimensions[dimension] { merged[dimension] = values.union(more) }
        }
        dimensions = merged
        if let mine = periodTexts, let theirs = other.periodTexts {
            periodTexts = mine.union(theirs)
        } else {
            periodTexts = nil
        }
        periodsFrom = periodsFrom.flatMap { mine in other.periodsFrom.map { min(mine, $0) } }
        periodsThrough = periodsThrough.flatMap { mine in other.periodsThrough.map { max(mine, $0) } }
    }
}
