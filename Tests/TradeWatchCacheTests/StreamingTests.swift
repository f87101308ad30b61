import Foundation
import GRDB
import TestSupport
import Testing
@testable import TradeWatchCache
import TradeWatchModel

@Suite("Streaming pulls: records handed over one at a time")
struct StreamingTests {
    struct ParseFailure: Error {}

    @Test("A pull whose producer fails writes nothing at all")
    func failingProducer() throws {
        var fixture = try Fixture()
        try fixture.apply(snapshot([observation("6704", "2019-01", "1")]))
        #expect(throws: ParseFailure.self) {
            try fixture.cache.record(
                source: "customs", kind: "sdmx", attempt: FetchAttempt(startedAt: Date(), url: "http://127.0.0.1/"),
                result: .pulled(
                    PullContent(mode: .snapshot, observationScope: .wholeSource) { sink in
                        try sink.add(observation("6704", "2019-01", "2"))
                        try sink.add(observation("6704", "2019-02", "3"))
                        throw ParseFailure()
                    })
            )
        }
        #expect(try fixture.cache.log().count == 1)
        #expect(try fixture.cache.observations(at: .max).map(\.value) == ["1"])
        let fetches = try fixture.sqlite.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM fetch") }
        #expect(fetches == 1)
        #expect(try fixture.cache.verify().passed)
    }

    @Test(
        "A repeated key whose first occurrence matched the cache still takes the last occurrence",
        arguments: CacheBackend.allCases)
    func duplicateAfterUnchanged(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        try fixture.apply(snapshot([observation("6704", "2019-01", "1")]))
        let record = try fixture.apply(
            snapshot([observation("6704", "2019-01", "1"), observation("6704", "2019-01", "9")]))
        #expect(record.revision?.changed == 1)
        #expect(try fixture.cache.observations(at: .max).map(\.value) == ["9"])
        #expect(try fixture.cache.verify().passed)
    }

    @Test("A delta that adds and then deletes the same key leaves no trace", arguments: CacheBackend.allCases)
    func addThenDelete(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        try fixture.apply(snapshot([observation("6704", "2019-01", "1")]))
        let record = try fixture.apply(
            Pull(
                mode: .delta, observations: [observation("9701", "2019-01", "5")],
                deletedObservations: [key("9701", "2019-01")]))
        #expect(record.outcome == .unchanged)
        #expect(record.revision == nil)
        #expect(try fixture.cache.observations(at: .max).count == 1)
        #expect(try fixture.cache.verify().passed)
    }

    @Test(
        "A streamed snapshot of many rows reconciles like the same rows given at once", arguments: CacheBackend.allCases
    )
    func streamedEqualsBatch(backend: CacheBackend) throws {
        let streamed = try Fixture(backend)
        var batched = try Fixture(backend)
        let rows = (0..<5000).map {
            observation(String($0 % 50), "2019-\($0 / 50 % 12 + 1 < 10 ? "0" : "")\($0 / 50 % 12 + 1)", String($0))
        }
        try batched.apply(snapshot(rows))
        try streamed.cache.record(
            source: "customs", kind: "sdmx", attempt: FetchAttempt(startedAt: Date(), url: "http://127.0.0.1/"),
            result: .pulled(
                PullContent(mode: .snapshot, observationScope: .wholeSource) { sink in
                    for row in rows { try sink.add(row) }
                })
        )
        let a = try streamed.cache.observations(at: .max).map { "\($0.series)@\($0.period)=\($0.value ?? "")" }
        let b = try batched.cache.observations(at: .max).map { "\($0.series)@\($0.period)=\($0.value ?? "")" }
        #expect(a == b)
        #expect(a.count == 600)
    }
}
