import Foundation
import Testing
@testable import TradeWatchCache
import TradeWatchModel

@Suite("Labels and structures are versioned")
struct LabelTests {
    @Test(
        "A renamed code gets a new version; its history shows both with their revisions",
        arguments: CacheBackend.allCases)
    func renamedCode(backend: CacheBackend) throws {
        // Given data with its codelists
        var fixture = try Fixture(backend)
        let first = try #require(try fixture.pull(threeSeries(), batches: [tradeLabels()]).revision)
        #expect(first.added == 4)
        #expect(first.labels == 7)

        // When the structure service renames one code in English only
        var renamed = tradeLabels()
        renamed.labels[0].name = "Wigs and false beards"
        let record = try fixture.reference(.pulled([renamed]))

        // Then that one label is a new version in a revision of its own, with no figure changed
        let second = try #require(record.revision)
        #expect(record.outcome == .changed)
        #expect((second.added, second.changed, second.removed, second.labels) == (0, 0, 0, 1))
        #expect(try fixture.cache.log(limit: 1).first?.labels == 1)
        #expect(try fixture.cache.revision(second.id)?.labels == 1)
        let history = try fixture.cache.labelHistory(LabelQuery(component: "CMD", code: "6704"))
        #expect(
            history.map {
                "\($0.label.language) \($0.label.name) \($0.fromRevision)..\($0.toRevision.map(String.init) ?? "")"
            }
                == [
                    "en \(Names.wigs) \(first.id)..\(second.id)", "fr \(Names.wigsFrench) \(first.id)..",
                    "en Wigs and false beards \(second.id)..",
                ])
        #expect(history.allSatisfy { $0.source == "customs" && $0.dataset == "TRADE" && $0.label.parent == "67" })
        let labels = try fixture.cache.labels(source: "customs", dataset: "TRADE")
        #expect(labels.name(component: "CMD", code: "6704") == "Wigs and false beards")
        #expect(labels.codes["CMD"]?["6704"]?.count == 2)

        // The same list again changes nothing, and a parent alone is a change too.
        let again = try fixture.reference(.pulled([renamed]))
        #expect(again.revision == nil)
        #expect(again.outcome == .unchanged)
        renamed.labels[2].parent = "09.01"
        #expect(try fixture.reference(.pulled([renamed])).revision?.labels == 1)
        #expect(
            try fixture.cache.labelHistory(
                LabelQuery(source: "customs", dataset: "TRADE", component: "CMD", code: "0901")
            )
            .map(\.label.parent) == ["09", "09.01"])
        #expect(try fixture.cache.labelHistory(LabelQuery(source: "other", component: "CMD", code: "0901")).isEmpty)
        try fixture.expectVerified()
    }

    @Test(
        "A complete list withdraws the codes it lacks; labels that come with data never withdraw",
        arguments: CacheBackend.allCases)
    func completeAndAdditive(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        try fixture.pull(threeSeries(), batches: [tradeLabels()])

        // Labels that came with the data add and revise, and withdraw nothing.
        let described = try #require(
            try fixture.pull(
                threeSeries(),
                additive: [
                    ("TRADE", CodeLabel(component: "CMD", code: "6704", language: "en", name: "Wigs", parent: "67")),
                    ("TRADE", CodeLabel(component: "FLOW", code: "M", language: "en", name: "Import")),
                ]
            ).revision)
        #expect((described.added, described.changed, described.removed, described.labels) == (0, 0, 0, 2))
        var labels = try fixture.cache.labels(source: "customs", dataset: "TRADE")
        #expect(labels.name(component: "CMD", code: "6704") == "Wigs")
        #expect(labels.name(component: "CMD", code: "0901") == Names.coffee)
        #expect(labels.name(component: "FLOW", code: "M") == "Import")

        // A complete CMD list without 0901 withdraws it (in every language), and leaves the
        // components it does not list completely alone.
        let shorter = LabelBatch(
            dataset: "TRADE",
            labels: [
                CodeLabel(component: "CMD", code: "6704", language: "en", name: "Wigs", parent: "67"),
                CodeLabel(component: "CMD", code: "6704", language: "fr", name: Names.wigsFrench, parent: "67"),
            ], complete: ["CMD"])
        let withdrawn = try #require(try fixture.reference(.pulled([shorter])).revision)
        #expect(withdrawn.labels == 1)
        labels = try fixture.cache.labels(source: "customs", dataset: "TRADE")
        #expect(labels.name(component: "CMD", code: "0901") == nil)
        #expect(labels.name(component: "PARTNER", code: "408") == Names.dprk)
        #expect(labels.name(component: "FLOW", code: "M") == "Import")
        let coffee = try fixture.cache.labelHistory(LabelQuery(component: "CMD", code: "0901"))
        #expect(coffee.map(\.toRevision) == [withdrawn.id])

        // A complete list of one dataset leaves another dataset's labels alone.
        try fixture.reference(.pulled([tradeLabels(dataset: "OTHER")]), document: "other")
        try fixture.reference(.pulled([LabelBatch(dataset: "OTHER", labels: [], complete: ["CMD"])]), document: "other")
        #expect(
            try fixture.cache.labels(source: "customs", dataset: "OTHER").name(component: "CMD", code: "6704") == nil)
        #expect(
            try fixture.cache.labels(source: "customs", dataset: "TRADE").name(component: "CMD", code: "6704") == "Wigs"
        )
        try fixture.expectVerified()
    }

    @Test("Within one pull a label repeated keeps its last occurrence", arguments: CacheBackend.allCases)
    func repeatedWithinPull(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        let first = tradeLabels()
        var second = tradeLabels()
        second.labels[0].name = "Wigs (second list)"
        second.labels.removeAll { $0.code == "0901" }  // complete: withdraws what the first list added
        let record = try #require(try fixture.pull(threeSeries(), batches: [first, second]).revision)
        #expect(record.labels == 6)
        let labels = try fixture.cache.labels(source: "customs", dataset: "TRADE")
        #expect(labels.name(component: "CMD", code: "6704") == "Wigs (second list)")
        #expect(labels.name(component: "CMD", code: "0901") == nil)
        #expect(try fixture.cache.labelHistory(LabelQuery(component: "CMD", code: "0901")).isEmpty)
        try fixture.expectVerified()
    }

    @Test("A structure is versioned per dataset: a new version only when it differs", arguments: CacheBackend.allCases)
    func structureVersions(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        try fixture.pull(threeSeries())
        #expect(
            try fixture.cache.datasets(sources: nil).map {
                "\($0.source)/\($0.dataset) \($0.series) \($0.title ?? "-")"
            } == ["customs/TRADE 3 -"])

        let v1 = tradeStructure(title: "Trade by partner")
        let first = try #require(
            try fixture.reference(.pulled([LabelBatch(dataset: "TRADE", structure: v1, labels: [])])).revision)
        #expect(first.labels == 1)
        var info = try #require(try fixture.cache.datasets(sources: ["customs"]).first)
        #expect(info.structure == v1)
        #expect(info.title == "Trade by partner")
        #expect(info.structureRevision == first.id)
        #expect(info.series == 3)

        // The same structure again: nothing changes.
        #expect(
            try fixture.reference(.pulled([LabelBatch(dataset: "TRADE", structure: v1, labels: [])])).revision == nil)
        // A batch without a structure keeps the stored one.
        try fixture.reference(.pulled([tradeLabels()]))
        #expect(try fixture.cache.datasets(sources: nil).first?.structure == v1)

        // A changed structure is a new version.
        let v2 = tradeStructure(
            title: "Trade by partner and flow", dimensions: ["FREQ", "REPORTER", "PARTNER", "FLOW", "CMD"])
        let second = try #require(
            try fixture.reference(.pulled([LabelBatch(dataset: "TRADE", structure: v2, labels: [])])).revision)
        #expect(second.labels == 1)
        info = try #require(try fixture.cache.datasets(sources: nil).first)
        #expect(info.structure == v2)
        #expect(info.structureRevision == second.id)

        // A dataset known by its structure alone is listed too; other sources are not.
        try fixture.reference(
            .pulled([LabelBatch(dataset: "PLANNED", structure: tradeStructure(title: "Later"), labels: [])]))
        try fixture.pull([trade("6704", "408", "2019-01", "1")], source: "imf")
        #expect(
            try fixture.cache.datasets(sources: ["customs"]).map { "\($0.dataset) \($0.series) \($0.title ?? "-")" }
                == ["PLANNED 0 Later", "TRADE 3 Trade by partner and flow"])
        #expect(try fixture.cache.datasets(sources: nil).count == 3)
        try fixture.expectVerified()
    }

    @Test(
        "A pull that changes only labels is a revision; one that changes nothing is none",
        arguments: CacheBackend.allCases)
    func labelsOnlyRevision(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        try fixture.pull(threeSeries())
        #expect(try fixture.pull(threeSeries()).revision == nil)
        let labelled = try #require(try fixture.pull(threeSeries(), batches: [tradeLabels()]).revision)
        #expect((labelled.added, labelled.changed, labelled.removed, labelled.labels) == (0, 0, 0, 7))
        #expect(try fixture.pull(threeSeries(), batches: [tradeLabels()]).revision == nil)
        try fixture.expectVerified()
    }
}
