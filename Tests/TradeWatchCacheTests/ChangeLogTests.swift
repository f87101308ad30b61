import Foundation
import GRDB
import TestSupport
import Testing
@testable import TradeWatchCache
import TradeWatchModel

@Suite("The change log diffs read")
struct ChangeLogTests {
    /// Every change as one line, for comparing two diffs.
    static func lines(_ diff: CacheDiff) -> [String] {
        diff.observations.map { change in
            func show(_ v: ObservationVersion?) -> String {
                v.map {
                    "\($0.value ?? "-")/\($0.status ?? "")/\($0.fromRevision)/\($0.toRevision.map(String.init) ?? "open")"
                }
                    ?? "none"
            }
            return
                "\(change.kind) \(change.source) \(change.key.series)@\(change.key.period) \(show(change.old)) -> \(show(change.new))"
        }
    }

    /// A random history: snapshots and deltas that revise, remove, restore and add figures,
    /// repeat keys, and delete what they added, over two sources.
    static func randomHistory(seed: UInt64, rounds: Int, backend: CacheBackend = .sqlite) throws -> (Fixture, [Int64]) {
        var fixture = try Fixture(backend)
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var revisions: [Int64] = [0]
        for round in 1...rounds {
            for source in ["customs", "imf"] {
                var rows: [Observation] = []
                for cmd in ["6704", "9701", "2601"] {
                    for month in 1...8 where next(10) > 1 {
                        let period = "2019-0\(month)"
                        rows.append(observation(cmd, period, "\(next(4))", status: next(3) == 0 ? "P" : "A"))
                        if next(12) == 0 { rows.append(observation(cmd, period, "\(next(4))")) }  // repeated key
                    }
                }
                let pull: Pull
                if round % 3 == 0 {
                    let deleted = (0..<3).map { _ in key(["6704", "9701"][next(2)], "2019-0\(1 + next(8))") }
                    pull = Pull(mode: .delta, observations: Array(rows.prefix(5)), deletedObservations: deleted)
                } else {
                    pull = snapshot(rows)
                }
                if let revision = try fixture.apply(pull, source: source).revision { revisions.append(revision.id) }
            }
        }
        return (fixture, revisions)
    }

    /// The diff between two revisions worked out from the two as-of views alone, in the
    /// order a diff presents changes: what a diff must say, by a path that shares no code with it.
    static func expectedLines(_ cache: any CacheReader, _ a: Int64, _ b: Int64, _ filter: RowFilter) throws -> [String]
    {
        func keyed(_ versions: [ObservationVersion]) -> [[UInt8]: ObservationVersion] {
            Dictionary(
                uniqueKeysWithValues: versions.map {
                    (
                        Array($0.source.utf8) + [0] + Array($0.dataset.utf8) + [0] + Array($0.series.utf8) + [0]
                            + Array($0.period.utf8), $0
                    )
                })
        }
        let old = keyed(try cache.observations(at: a, filter: filter))
        let new = keyed(try cache.observations(at: b, filter: filter))
        var changes: [([UInt8], ObservationChange)] = []
        for key in Set(old.keys).union(new.keys) {
            var (before, after) = (old[key], new[key])
            after?.toRevision = nil  // open at b, whatever came later
            let kind: ChangeKind
            switch (before, after) {
            case (nil, _?): kind = .added
            case (_?, nil): kind = .removed
            case let (x?, y?)
            where x.value != y.value || x.status != y.status || x.unit != y.unit
                || x.unitMultiplier != y.unitMultiplier || x.attributes != y.attributes:
                kind = .changed
            default: continue
            }
            let any = (after ?? before)!
            changes.append(
                (key, ObservationChange(kind: kind, source: any.source, key: any.key, old: before, new: after)))
        }
        changes.sort { $0.0.lexicographicallyPrecedes($1.0) }
        return lines(CacheDiff(from: a, to: b, observations: changes.map(\.1), entries: []))
    }

    @Test(
        "Diffs equal the as-of views compared, for every pair of revisions (the oracle)",
        arguments: CacheBackend.allCases, [1, 2, 3])
    func sameAsTable(backend: CacheBackend, seed: Int) throws {
        let (fixture, revisions) = try Self.randomHistory(seed: UInt64(seed), rounds: 6, backend: backend)
        let cache = fixture.cache
        var fromLog: [String: [String]] = [:]
        for a in revisions {
            for b in revisions where b > a {
                let diff = try cache.diff(from: a, to: b)
                fromLog["\(a)..\(b)"] = Self.lines(diff)
                // Visited one at a time: the same changes in the same order, both ways.
                var visited: [ObservationChange] = []
                try cache.forEachObservationChange(from: a, to: b) { visited.append($0) }
                #expect(visited == diff.observations, "\(a)..\(b) visited")
                visited.removeAll()
                try cache.forEachObservationChange(from: b, to: a) { visited.append($0) }
                #expect(visited == (try cache.diff(from: b, to: a)).observations, "\(b)..\(a) visited")
                #expect(fromLog["\(a)..\(b)"] == (try Self.expectedLines(cache, a, b, RowFilter())), "\(a)..\(b)")
                #expect(
                    Self.lines(try cache.diff(from: a, to: b, filter: RowFilter(sources: ["imf"])))
                        == (try Self.expectedLines(cache, a, b, RowFilter(sources: ["imf"]))), "\(a)..\(b) imf")
                fromLog["\(a)..\(b) imf"] = Self.lines(
                    try cache.diff(from: a, to: b, filter: RowFilter(sources: ["imf"])))
            }
        }
        #expect(fromLog.count > 100)
        #expect(fromLog.values.contains { $0.contains { $0.hasPrefix("changed") } })
        #expect(fromLog.values.contains { $0.contains { $0.hasPrefix("removed") } })
        #expect(try cache.verify().passed)
    }

    @Test(
        "A diff touching a few series far apart names and orders them as the as-of views do",
        arguments: CacheBackend.allCases)
    func sparseSeries(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        // Series created in the reverse of their key order: row ids and reading order disagree.
        let commodities = (0..<60).reversed().map { "c" + ($0 < 10 ? "0" : "") + String($0) }
        let first = commodities.map { observation($0, "2019-01", "1") }
        try fixture.apply(snapshot(first))
        var second = first
        second[0].value = "2"  // c59, the first series made
        second[59].attributes = ["OBS_CONF": "F"]  // c00, the last; an attribute alone changes
        second.append(observation("d00", "2019-01", "3"))  // a new series
        let revision = try #require(try fixture.apply(snapshot(second)).revision)
        let diff = try fixture.cache.diff(from: revision.id - 1, to: revision.id)
        #expect(diff.observations.map(\.key.series).map { $0.contains("CMD=c00") } == [true, false, false])
        #expect(diff.observations.map(\.kind) == [.changed, .changed, .added])
        #expect(diff.observations.first?.new?.attributes == ["OBS_CONF": "F"])
        #expect(Self.lines(diff) == (try Self.expectedLines(fixture.cache, revision.id - 1, revision.id, RowFilter())))
    }

    @Test("A first load logs nothing; a revision logs what it closed and what replaced it")
    func logContents() throws {
        var fixture = try Fixture()
        try fixture.apply(snapshot([observation("6704", "2019-01", "1"), observation("6704", "2019-02", "2")]))
        let count = {
            try fixture.sqlite.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM observation_change") }
        }
        #expect(try count() == 0)
        try fixture.apply(snapshot([observation("6704", "2019-01", "5"), observation("6704", "2019-03", "3")]))
        // 2019-01 changed (closed + opened), 2019-02 removed (closed), 2019-03 added (not logged).
        #expect(try count() == 3)
        #expect(try fixture.cache.verify().passed)
        // A replacing version the log lost is a violation verify names…
        try fixture.sqlite.write { db in try db.execute(sql: "DELETE FROM observation_change WHERE side = 1") }
        let replaced = try fixture.cache.verify()
        #expect(!replaced.passed)
        #expect(
            replaced.checks.first { !$0.passed }?.violations.first?.contains("replaced but not logged") == true,
            "\(replaced.checks.filter { !$0.passed })")
        // …and so is a closed version it lost.
        try fixture.sqlite.write { db in try db.execute(sql: "DELETE FROM observation_change WHERE side = 0") }
        let report = try fixture.cache.verify()
        #expect(!report.passed)
        #expect(
            report.checks.first { !$0.passed }?.violations.contains { $0.contains("closed but not logged") } == true)
    }
}
