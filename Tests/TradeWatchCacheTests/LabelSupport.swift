import Foundation
import Testing
@testable import TradeWatchCache
import TradeWatchModel

// Pulls with labels, reference fetches and the names the label tests use: HS headings, M49
// areas (as the UN's lists name them), in English and French.

extension Fixture {
    /// A snapshot pull of the whole source carrying `observations`, `batches` (complete
    /// lists, structures) and labels that came with the data, one minute after the last fetch.
    @discardableResult
    mutating func pull(
        _ observations: [Observation], batches: [LabelBatch] = [], additive: [(dataset: String, label: CodeLabel)] = [],
        source: String = "customs", etag: String? = nil, nextDue: Date? = nil
    ) throws -> FetchRecord {
        clock += 60
        var attempt = FetchAttempt(startedAt: clock, url: "http://127.0.0.1/\(source)/data")
        attempt.etag = etag
        return try cache.record(
            source: source, kind: "sdmx", attempt: attempt,
            result: .pulled(
                PullContent(mode: .snapshot, observationScope: .wholeSource) { sink in
                    for observation in observations { try sink.add(observation) }
                    for batch in batches { sink.labels(batch) }
                    for (dataset, label) in additive { sink.label(label, dataset: dataset) }
                }), nextDue: nextDue, finishedAt: clock)
    }

    /// One fetch of a reference document of `source`, one minute after the last fetch.
    @discardableResult
    mutating func reference(
        _ result: ReferenceResult, document: String = "structure", source: String = "customs", etag: String? = nil,
        payloadSHA256: String? = nil, nextDue: Date? = nil
    ) throws -> FetchRecord {
        clock += 60
        var attempt = FetchAttempt(startedAt: clock, url: "http://127.0.0.1/\(source)/\(document)")
        attempt.etag = etag
        attempt.payloadSHA256 = payloadSHA256
        return try cache.recordReference(
            ReferenceFetchToRecord(
                source: source, kind: "sdmx", document: document, attempt: attempt, result: result, nextDue: nextDue,
                finishedAt: clock))
    }

    /// Expects every invariant `verify` checks to hold, naming those that do not.
    func expectVerified(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let report = try cache.verify()
        let failed = report.checks.filter { !$0.passed }.map { "\($0.name): \($0.violations)" }
        #expect(failed.isEmpty, "\(failed)", sourceLocation: sourceLocation)
    }
}

enum Names {
    static let wigs = "Wigs, false beards, eyebrows and eyelashes, switches and the like, of human or animal hair"
    static let wigsFrench = "Perruques, barbes, sourcils, cils, mèches et articles analogues en cheveux"
    static let coffee = "Coffee, whether or not roasted or decaffeinated"
    static let dprk = "Democratic People's Republic of Korea"
    static let dprkFrench = "République populaire démocratique de Corée"
    static let japan = "Japan"
    static let china = "China"
}

/// A monthly import figure of China from `partner` of HS heading `cmd`.
func trade(
    _ cmd: String, _ partner: String, _ period: String, _ value: String, dataset: String = "TRADE"
)
    -> Observation
{
    Observation(
        dataset: dataset, series: SeriesKey(["FREQ": "M", "REPORTER": "156", "PARTNER": partner, "CMD": cmd]),
        period: Period(period), value: value, unit: "USD")
}

/// The series key `trade` gives.
func tradeKey(_ cmd: String, _ partner: String) -> String {
    SeriesKey(["FREQ": "M", "REPORTER": "156", "PARTNER": partner, "CMD": cmd]).canonical
}

/// Three series: wigs from the DPRK and from Japan, coffee from the DPRK.
func threeSeries(round: Int = 0) -> [Observation] {
    [
        trade("6704", "408", "2019-01", "\(100 + round)"), trade("6704", "408", "2019-02", "\(110 + round)"),
        trade("6704", "392", "2019-01", "\(200 + round)"), trade("0901", "408", "2019-01", "\(300 + round)"),
    ]
}

/// The codelists of `threeSeries`, complete for CMD and PARTNER, English and French.
func tradeLabels(dataset: String = "TRADE", japan: String = Names.japan) -> LabelBatch {
    LabelBatch(
        dataset: dataset,
        labels: [
            CodeLabel(component: "CMD", code: "6704", language: "en", name: Names.wigs, parent: "67"),
            CodeLabel(component: "CMD", code: "6704", language: "fr", name: Names.wigsFrench, parent: "67"),
            CodeLabel(component: "CMD", code: "0901", language: "en", name: Names.coffee, parent: "09"),
            CodeLabel(component: "PARTNER", code: "408", language: "en", name: Names.dprk),
            CodeLabel(component: "PARTNER", code: "408", language: "fr", name: Names.dprkFrench),
            CodeLabel(component: "PARTNER", code: "392", language: "en", name: japan),
            CodeLabel(component: "REPORTER", code: "156", language: "en", name: Names.china),
        ], complete: ["CMD", "PARTNER", "REPORTER"])
}

/// A structure of the `TRADE` dataset with `title` in English.
func tradeStructure(title: String, dimensions: [String] = ["FREQ", "REPORTER", "PARTNER", "CMD"]) -> DatasetStructure {
    DatasetStructure(
        dataset: "TRADE", names: [.init(language: "fr", text: "Commerce"), .init(language: "en", text: title)],
        reference: "TW:DSD_TRADE(1.0)",
        dimensions: dimensions.map { DatasetStructure.Component(id: $0, codelist: "TW:CL_\($0)(1.0)") },
        timeDimension: "TIME_PERIOD",
        attributes: [
            DatasetStructure.Component(id: "OBS_STATUS", attachment: .observation, mandatory: false),
            DatasetStructure.Component(id: "UNIT_MULT", attachment: .dimensions, attachedTo: dimensions),
        ],
        measures: [DatasetStructure.Component(id: "OBS_VALUE")])
}
