import Foundation
import TestSupport
import Testing
import TradeWatchCache
import TradeWatchModel

@Suite("Reconcile: one pull, one revision or none")
struct ReconcileTests {
    @Test("A first pull adds every row in one revision", arguments: CacheBackend.allCases)
    func newRows(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        let record = try fixture.apply(
            snapshot([observation("6704", "2019-01", "100"), observation("6704", "2019-02", "200")]))
        let revision = try #require(record.revision)
        #expect(record.outcome == .changed)
        #expect((revision.added, revision.changed, revision.removed) == (2, 0, 0))
        #expect(try fixture.cache.observations(at: revision.id).map(\.value) == ["100", "200"])
    }

    @Test("The same pull again, even re-ordered, creates no revision", arguments: CacheBackend.allCases)
    func unchangedAndReordered(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        let rows = [
            observation("6704", "2019-01", "100", attributes: ["OBS_CONF": "F", "COMMENT": "x"]),
            observation("9701", "2019-01", "5"),
        ]
        try fixture.apply(snapshot(rows))
        let again = try fixture.apply(snapshot(rows.reversed()))
        #expect(again.outcome == .unchanged)
        #expect(again.revision == nil)
        #expect(try fixture.cache.log().count == 1)
    }

    @Test("A revised value closes the old version and opens a new one", arguments: CacheBackend.allCases)
    func changedValue(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        let first = try #require(try fixture.apply(snapshot([observation("6704", "2019-01", "100")])).revision)
        let second = try #require(try fixture.apply(snapshot([observation("6704", "2019-01", "104.5")])).revision)
        #expect((second.added, second.changed, second.removed) == (0, 1, 0))
        #expect(try fixture.cache.observations(at: first.id).map(\.value) == ["100"])
        #expect(try fixture.cache.observations(at: second.id).map(\.value) == ["104.5"])
    }

    @Test("A flag that moves from provisional to final is a change on its own", arguments: CacheBackend.allCases)
    func changedFlagOnly(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        try fixture.apply(snapshot([observation("6704", "2019-01", "100", status: "P")]))
        let second = try #require(
            try fixture.apply(snapshot([observation("6704", "2019-01", "100", status: "A")])).revision)
        #expect(second.changed == 1)
        let diff = try fixture.cache.diff(from: second.id - 1, to: second.id)
        #expect(diff.observations.map { "\($0.old?.status ?? "") → \($0.new?.status ?? "")" } == ["P → A"])
    }

    @Test(
        "A row missing inside the scope is removed; rows outside the scope are left alone",
        arguments: CacheBackend.allCases)
    func scopedRemoval(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        try fixture.apply(
            snapshot([
                observation("6704", "2018-12", "90"), observation("6704", "2019-01", "100"),
                observation("6704", "2019-02", "110"),
            ]))
        // A pull of 2019 only: 2019-02 has gone, 2018-12 lies outside what was asked.
        var scope = ObservationScope()
        scope.periodsFrom = CalendarDate("2019-01-01")
        scope.periodsThrough = CalendarDate("2019-12-31")
        let record = try fixture.apply(snapshot([observation("6704", "2019-01", "100")], scope: scope))
        let revision = try #require(record.revision)
        #expect((revision.added, revision.changed, revision.removed) == (0, 0, 1))
        #expect(try fixture.cache.observations(at: revision.id).map(\.period) == ["2018-12", "2019-01"])
    }

    @Test("A scope over one dimension value leaves other commodities alone", arguments: CacheBackend.allCases)
    func dimensionScope(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        try fixture.apply(snapshot([observation("6704", "2019-01", "100"), observation("9701", "2019-01", "7")]))
        let scope = ObservationScope(dimensions: ["CMD": ["6704"]])
        let record = try fixture.apply(snapshot([], scope: scope))
        #expect(record.revision?.removed == 1)
        #expect(try fixture.cache.observations(at: .max).map(\.series).allSatisfy { $0.hasSuffix("CMD=9701") })
    }

    @Test(
        "An empty snapshot of the whole source removes everything; an empty delta removes nothing",
        arguments: CacheBackend.allCases)
    func emptyPulls(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        try fixture.apply(snapshot([observation("6704", "2019-01", "100")]))
        #expect(try fixture.apply(Pull(mode: .delta)).outcome == .unchanged)
        let record = try fixture.apply(snapshot([]))
        #expect(record.revision?.removed == 1)
    }

    @Test("A delta upserts what it carries and deletes only what it names", arguments: CacheBackend.allCases)
    func deltaDelete(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        try fixture.apply(
            snapshot([
                observation("6704", "2019-01", "100"), observation("6704", "2019-02", "110"),
                observation("6704", "2019-03", "120"),
            ]))
        let delta = Pull(
            mode: .delta, observations: [observation("6704", "2019-03", "121"), observation("6704", "2019-04", "130")],
            deletedObservations: [key("6704", "2019-01"), key("6704", "1999-01")])
        let revision = try #require(try fixture.apply(delta).revision)
        #expect((revision.added, revision.changed, revision.removed) == (1, 1, 1))
        #expect(try fixture.cache.observations(at: revision.id).map(\.value) == ["110", "121", "130"])
    }

    @Test("A key repeated in one pull counts once, the last occurrence winning", arguments: CacheBackend.allCases)
    func duplicateKeys(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        let record = try fixture.apply(
            snapshot([observation("6704", "2019-01", "1"), observation("6704", "2019-01", "2")]))
        #expect(record.revision?.added == 1)
        #expect(try fixture.cache.observations(at: .max).map(\.value) == ["2"])
    }

    @Test("A failed fetch records the error and leaves the data alone", arguments: CacheBackend.allCases)
    func failure(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        try fixture.apply(snapshot([observation("6704", "2019-01", "100")]))
        let record = try fixture.cache.record(
            source: "customs", kind: "sdmx", attempt: FetchAttempt(startedAt: Date(), url: "http://127.0.0.1/x"),
            result: .failed(code: "http-status", message: "HTTP 500"))
        #expect(record.outcome == .failed)
        let status = try #require(try fixture.cache.status().first)
        #expect(status.consecutiveFailures == 1)
        #expect(status.lastErrorCode == "http-status")
        #expect(status.observations == 1)
        #expect(try fixture.cache.verify().passed)
    }
}
