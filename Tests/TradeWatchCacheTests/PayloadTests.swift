import GRDB
import Foundation
import TestSupport
import Testing
@testable import TradeWatchCache
import TradeWatchFormats
import TradeWatchModel

@Suite("Raw payloads as proof of publication")
struct PayloadTests {
    @Test("Payloads are kept compressed, once per distinct body, for the last N fetches")
    func keepLastN() throws {
        var fixture = try Fixture()
        func fetch(_ body: String, value: String) throws {
            fixture.clock += 60
            let data = Data(body.utf8)
            try fixture.cache.record(
                source: "customs", kind: "sdmx",
                attempt: FetchAttempt(
                    startedAt: fixture.clock, url: "http://127.0.0.1/x", payloadSHA256: SHA256.hex(data)),
                result: .pulled(
                    PullContent(snapshot([observation("6704", "2019-01", value)]), searchText: HTMLCleaner.text)),
                raw: RawPayload(data: data, contentType: "application/xml", keep: 2), finishedAt: fixture.clock)
        }
        let bodies = (1...3).map { "<data round=\"\($0)\">" + String(repeating: "figure ", count: 2000) + "</data>" }
        try fetch(bodies[0], value: "1")
        try fetch(bodies[0], value: "1")
        #expect(try fixture.cache.keptPayloads(source: "customs").count == 1)
        try fetch(bodies[1], value: "2")
        try fetch(bodies[2], value: "3")
        let kept = try fixture.cache.keptPayloads(source: "customs")
        #expect(Set(kept) == [SHA256.hex(Data(bodies[1].utf8)), SHA256.hex(Data(bodies[2].utf8))])
        let back = try #require(try fixture.cache.payload(source: "customs", sha256: SHA256.hex(Data(bodies[2].utf8))))
        #expect(String(decoding: back, as: UTF8.self) == bodies[2])
        let storedSize = try fixture.sqlite.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT max(stored_size) FROM payload") ?? 0
        }
        #expect(storedSize < bodies[2].utf8.count / 10, "stored \(storedSize) bytes for \(bodies[2].utf8.count)")
    }

    @Test("A payload handed over in chunks is kept whole: the bytes read back are the bytes sent")
    func chunkedPayload() throws {
        var fixture = try Fixture()
        // Eight megabytes that compress only partly (a counter mixed into text), in uneven chunks.
        var body = Data()
        var state: UInt64 = 2019
        while body.count < 8 << 20 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            body.append(contentsOf: "<Obs value=\"\(state >> 40)\"/>\n".utf8)
        }
        let sha = SHA256.hex(body)
        let pieces = [0, 1, 4097, 1 << 20, 3 << 20, body.count]
        let sent = body
        let raw = RawPayload(size: body.count, contentType: "application/xml", keep: 2) { consume in
            for (start, end) in zip(pieces, pieces.dropFirst()) { try consume(sent.subdata(in: start..<end)) }
        }
        fixture.clock += 60
        try fixture.cache.record(
            source: "customs", kind: "sdmx",
            attempt: FetchAttempt(startedAt: fixture.clock, url: "http://127.0.0.1/x", payloadSHA256: sha),
            result: .pulled(PullContent(snapshot([observation("6704", "2019-01", "1")]), searchText: HTMLCleaner.text)),
            raw: raw, finishedAt: fixture.clock)
        let back = try #require(try fixture.cache.payload(source: "customs", sha256: sha))
        #expect(back == body)
        let stored = try fixture.sqlite.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT stored_size FROM payload") ?? 0
        }
        #expect(stored > 0 && stored < body.count)
    }
}
