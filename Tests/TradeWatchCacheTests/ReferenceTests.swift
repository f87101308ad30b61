import Foundation
import Testing
@testable import TradeWatchCache
import TradeWatchModel

@Suite("Reference documents keep their own state")
struct ReferenceTests {
    @Test(
        "A reference fetch leaves the data's validators, schedule and failures alone, and keeps its own",
        arguments: CacheBackend.allCases)
    func ownState(backend: CacheBackend) throws {
        // Given a source whose data was fetched with an ETag and a due time
        var fixture = try Fixture(backend)
        let dataDue = fixture.clock.addingTimeInterval(3600)
        try fixture.pull(threeSeries(), etag: "\"data-1\"", nextDue: dataDue)
        let before = try #require(try fixture.cache.syncState(source: "customs"))

        // When its structure is fetched, then fails twice, then is not modified
        let structureDue = fixture.clock.addingTimeInterval(86_400)
        let pulled = try fixture.reference(
            .pulled([tradeLabels()]), etag: "\"structure-1\"", nextDue: structureDue)
        #expect(pulled.revision?.labels == 7)
        let labelled = try fixture.cache.labels(source: "customs", dataset: "TRADE")
        var state = try #require(try fixture.cache.referenceStates(source: "customs").first)
        #expect(state.document == "structure")
        #expect(state.url == "http://127.0.0.1/customs/structure")
        #expect(state.etag == "\"structure-1\"")
        #expect(state.nextDue == structureDue)
        #expect(state.lastSuccess == fixture.clock)
        #expect(state.consecutiveFailures == 0)

        let retry = fixture.clock.addingTimeInterval(600)
        for _ in 0..<2 {
            let failed = try fixture.reference(
                .failed(code: "http-status", message: "HTTP 503 from the structure service"), nextDue: retry)
            #expect(failed.outcome == .failed)
            #expect(failed.revision == nil)
        }
        state = try #require(try fixture.cache.referenceStates(source: "customs").first)
        #expect(state.consecutiveFailures == 2)
        #expect(state.etag == "\"structure-1\"")
        #expect(state.lastErrorCode == "http-status")
        #expect(state.lastErrorMessage == "HTTP 503 from the structure service")
        #expect(state.nextDue == retry)
        #expect(state.lastSuccess != state.lastAttempt)
        // A failed fetch changes no label.
        #expect(try fixture.cache.labels(source: "customs", dataset: "TRADE").codes == labelled.codes)

        let notModified = try fixture.reference(.notModified)
        #expect(notModified.outcome == .notModified)
        state = try #require(try fixture.cache.referenceStates(source: "customs").first)
        #expect(state.consecutiveFailures == 0)
        #expect(state.lastErrorCode == nil)
        #expect(state.etag == "\"structure-1\"")
        #expect(state.lastSuccess == fixture.clock)
        #expect(try fixture.reference(.samePayload).outcome == .unchanged)

        // Then the data's state is as the data fetch left it
        let after = try #require(try fixture.cache.syncState(source: "customs"))
        #expect(after.etag == before.etag)
        #expect(after.etag == "\"data-1\"")
        #expect(after.nextDue == dataDue)
        #expect(after.consecutiveFailures == 0)
        #expect(after.lastSuccess == before.lastSuccess)
        #expect(after.lastPullStarted == before.lastPullStarted)
        let status = try #require(try fixture.cache.status().first)
        #expect(status.lastOutcome == "changed")
        #expect(status.consecutiveFailures == 0)

        // And a data failure leaves the reference document's state alone
        try fixture.cache.record(
            source: "customs", kind: "sdmx", attempt: FetchAttempt(startedAt: fixture.clock, url: "http://127.0.0.1/x"),
            result: .failed(code: "timeout", message: "timed out"))
        #expect(try fixture.cache.referenceStates(source: "customs").first?.consecutiveFailures == 0)
        #expect(try fixture.cache.syncState(source: "customs")?.consecutiveFailures == 1)
        try fixture.expectVerified()
    }

    @Test("Each document of a source has a state of its own", arguments: CacheBackend.allCases)
    func documents(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        try fixture.reference(.pulled([tradeLabels()]), document: "comtrade:Reporters", source: "comtrade")
        try fixture.reference(
            .failed(code: "dns", message: "no such host"), document: "comtrade:HS", source: "comtrade")
        let states = try fixture.cache.referenceStates(source: "comtrade")
        #expect(states.map(\.document) == ["comtrade:HS", "comtrade:Reporters"])
        #expect(states.map(\.consecutiveFailures) == [1, 0])
        #expect(try fixture.cache.referenceStates(source: "customs").isEmpty)
        // The source is known, with no data fetched yet.
        #expect(try fixture.cache.status().map(\.name) == ["comtrade"])
        #expect(try fixture.cache.syncState(source: "comtrade")?.lastSuccess == nil)
        try fixture.expectVerified()
    }

    @Test("Reference fetches take no place among the data payloads a source keeps")
    func payloadsKept() throws {
        var fixture = try Fixture(.sqlite)
        func fetchData(_ body: String, _ observations: [Observation]) throws {
            fixture.clock += 60
            var attempt = FetchAttempt(startedAt: fixture.clock, url: "http://127.0.0.1/customs/data")
            attempt.payloadSHA256 = "sha-of-" + body
            try fixture.cache.record(
                source: "customs", kind: "csv", attempt: attempt,
                result: .pulled(PullContent(Pull(observations: observations), searchText: { $0 })),
                raw: RawPayload(data: Data(body.utf8), contentType: "text/csv", keep: 2), finishedAt: fixture.clock)
        }
        try fetchData("first", threeSeries())
        for index in 0..<3 { try fixture.reference(.samePayload, payloadSHA256: "structure-sha-\(index)") }
        try fetchData("second", threeSeries(round: 1))
        // The two newest data payloads are kept, whatever was fetched between them.
        #expect(try fixture.cache.payload(source: "customs", sha256: "sha-of-first") == Data("first".utf8))
        #expect(try fixture.cache.payload(source: "customs", sha256: "sha-of-second") == Data("second".utf8))
    }

    @Test("A damaged cache refuses reference fetches as it refuses data")
    func damagedRefuses() throws {
        var fixture = try Fixture(.sqlite)
        try fixture.pull(threeSeries())
        try fixture.sqlite.health.markDamaged(CacheDamage(detectedAt: Date(), problems: ["page 3: btree damaged"]))
        #expect {
            try fixture.reference(.pulled([tradeLabels()]))
        } throws: { ($0 as? CacheError)?.code == .damaged }
        #expect(try fixture.cache.labels(source: "customs", dataset: "TRADE").isEmpty)
        #expect(try fixture.cache.referenceStates(source: "customs").isEmpty)
    }
}
