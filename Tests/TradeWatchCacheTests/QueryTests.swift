import Foundation
import GRDB
import TestSupport
import Testing
@testable import TradeWatchCache
import TradeWatchModel

@Suite("As of, diff, history, log")
struct QueryTests {
    /// Five pulls of one source: the value of 2019-01 is revised three times, 2019-02 appears
    /// and disappears, and a flag moves from P to A.
    static func scriptedHistory(_ backend: CacheBackend = .sqlite) throws -> (Fixture, [Int64], [[String: String]]) {
        var fixture = try Fixture(backend)
        let pulls: [[Observation]] = [
            [observation("6704", "2019-01", "100", status: "P")],
            [observation("6704", "2019-01", "101", status: "P"), observation("6704", "2019-02", "50")],
            [observation("6704", "2019-01", "101", status: "A"), observation("6704", "2019-02", "55")],
            [observation("6704", "2019-01", "99", status: "A")],
            [observation("6704", "2019-01", "98", status: "A"), observation("6704", "2019-03", "70")],
        ]
        var revisions: [Int64] = []
        var states: [[String: String]] = []
        for rows in pulls {
            let record = try fixture.apply(snapshot(rows))
            revisions.append(try #require(record.revision).id)
            states.append(
                Dictionary(uniqueKeysWithValues: rows.map { ($0.period.text, "\($0.value ?? "")/\($0.status ?? "")") }))
        }
        return (fixture, revisions, states)
    }

    @Test("As of every revision, the cache shows exactly what that pull said", arguments: CacheBackend.allCases)
    func asOfEveryRevision(backend: CacheBackend) throws {
        let (fixture, revisions, states) = try Self.scriptedHistory(backend)
        for (revision, expected) in zip(revisions, states) {
            let rows = try fixture.cache.observations(at: revision)
            let seen = Dictionary(
                uniqueKeysWithValues: rows.map { ($0.period, "\($0.value ?? "")/\($0.status ?? "")") })
            #expect(seen == expected, "as of revision \(revision)")
        }
        #expect(try fixture.cache.observations(at: 0).isEmpty)
    }

    @Test("As of a timestamp reads the last revision at or before it", arguments: CacheBackend.allCases)
    func asOfTimestamp(backend: CacheBackend) throws {
        let (fixture, revisions, _) = try Self.scriptedHistory(backend)
        let log = try fixture.cache.log().reversed().map { $0 }
        #expect(try fixture.cache.resolve(.time(log[2].createdAt)) == revisions[2])
        #expect(try fixture.cache.resolve(.time(log[2].createdAt.addingTimeInterval(30))) == revisions[2])
        #expect(try fixture.cache.resolve(.time(log[0].createdAt.addingTimeInterval(-1))) == 0)
        #expect(try fixture.cache.resolve(.latest) == revisions[4])
        #expect(try fixture.cache.resolve(.beforeLatest(1)) == revisions[3])
        #expect(throws: CacheError.self) { try fixture.cache.resolve(.revision(999)) }
    }

    @Test("Revision names: numbers, latest~N and @timestamps")
    func revisionPoints() {
        #expect(RevisionPoint("12") == .revision(12))
        #expect(RevisionPoint("latest") == .latest)
        #expect(RevisionPoint("latest~2") == .beforeLatest(2))
        #expect(RevisionPoint("@2019-07-01T00:05:00Z") == .time(Date(timeIntervalSince1970: 1_561_939_500)))
        #expect(RevisionPoint("@2019-07-01") == .time(Date(timeIntervalSince1970: 1_562_025_599.999)))
        #expect(RevisionPoint("yesterday") == nil)
        #expect(RevisionPoint("-3") == nil)
    }

    @Test("A diff and its reverse hold the same changes with ends swapped", arguments: CacheBackend.allCases)
    func diffSymmetry(backend: CacheBackend) throws {
        let (fixture, revisions, _) = try Self.scriptedHistory(backend)
        let forward = try fixture.cache.diff(from: revisions[0], to: revisions[3])
        let backward = try fixture.cache.diff(from: revisions[3], to: revisions[0])
        #expect(forward.observations.map { "\($0.kind) \($0.key.period)" } == ["changed 2019-01"])
        #expect(backward.observations.map { "\($0.kind) \($0.key.period)" } == ["changed 2019-01"])
        #expect(forward.observations.first?.old?.value == backward.observations.first?.new?.value)
        #expect(forward.observations.first?.new?.value == backward.observations.first?.old?.value)

        let addAndRemove = try fixture.cache.diff(from: revisions[1], to: revisions[4])
        #expect(
            addAndRemove.observations.map { "\($0.kind) \($0.key.period)" } == [
                "changed 2019-01", "removed 2019-02", "added 2019-03",
            ])
        let reversed = try fixture.cache.diff(from: revisions[4], to: revisions[1])
        #expect(
            reversed.observations.map { "\($0.kind) \($0.key.period)" } == [
                "changed 2019-01", "added 2019-02", "removed 2019-03",
            ])
    }

    @Test("A row added and removed between the two ends does not show in their diff", arguments: CacheBackend.allCases)
    func transientRows(backend: CacheBackend) throws {
        let (fixture, revisions, _) = try Self.scriptedHistory(backend)
        let diff = try fixture.cache.diff(from: revisions[0], to: revisions[3])
        #expect(!diff.observations.contains { $0.key.period == "2019-02" })
    }

    @Test("Diffs filter by dataset and series key glob", arguments: CacheBackend.allCases)
    func diffFilters(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        try fixture.apply(
            snapshot([observation("6704", "2019-01", "1"), observation("9701", "2019-01", "2", dataset: "ART")]))
        let revision = try #require(
            try fixture.apply(
                snapshot([observation("6704", "2019-01", "3"), observation("9701", "2019-01", "4", dataset: "ART")])
            ).revision)
        #expect(try fixture.cache.diff(from: revision.id - 1, to: revision.id).observations.count == 2)
        #expect(
            try fixture.cache.diff(from: revision.id - 1, to: revision.id, filter: RowFilter(dataset: "ART"))
                .observations.map(\.key.dataset) == ["ART"])
        #expect(
            try fixture.cache.diff(from: revision.id - 1, to: revision.id, filter: RowFilter(keyGlob: "*CMD=67*"))
                .observations.map(\.new?.value) == ["3"])
        #expect(
            try fixture.cache.diff(from: revision.id - 1, to: revision.id, filter: RowFilter(sources: ["other"]))
                .observations.isEmpty)
    }

    @Test("History lists every version of one figure across five revisions", arguments: CacheBackend.allCases)
    func historyOfOneKey(backend: CacheBackend) throws {
        let (fixture, revisions, _) = try Self.scriptedHistory(backend)
        let history = try fixture.cache.history(key: key("6704", "2019-01"))
        #expect(history.map(\.value) == ["100", "101", "101", "99", "98"])
        #expect(history.map(\.status) == ["P", "P", "A", "A", "A"])
        #expect(history.map(\.fromRevision) == revisions)
        #expect(history.map(\.toRevision) == Array(revisions.dropFirst()) + [nil])
    }

    @Test("The log lists revisions newest first with their counts, and filters", arguments: CacheBackend.allCases)
    func log(backend: CacheBackend) throws {
        var (fixture, _, _) = try Self.scriptedHistory(backend)
        try fixture.apply(Pull(entries: [Entry(key: "a", title: "A")], entryScope: .all), source: "news", kind: "feed")
        let log = try fixture.cache.log()
        #expect(log.map(\.source) == ["news", "customs", "customs", "customs", "customs", "customs"])
        #expect(log.map { "+\($0.added) ~\($0.changed) -\($0.removed)" }.last == "+1 ~0 -0")
        #expect(try fixture.cache.log(sources: ["news"]).count == 1)
        #expect(try fixture.cache.log(limit: 2).count == 2)
        #expect(try fixture.cache.log(since: log[1].createdAt).count == 2)
    }

    @Test("The cache file is in WAL mode and readers open it read-only")
    func walAndReadOnly() throws {
        var fixture = try Fixture()
        try fixture.apply(snapshot([observation("6704", "2019-01", "1")]))
        let mode = try fixture.sqlite.pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        let reader = try SQLiteCache(path: fixture.cache.location, access: .readOnly)
        #expect(try reader.observations(at: .max).count == 1)
        #expect(throws: CacheError.self) { try reader.registerSource(name: "x", kind: "feed") }
        #expect(throws: CacheError.self) {
            try SQLiteCache(path: fixture.directory.file("absent.db"), access: .readOnly)
        }
    }
}

@Suite("Streaming a snapshot as text")
struct SnapshotTextTests {
    /// Every column of every row as text, in the order the stream gives them.
    static func textRows(_ cache: any CacheReader, at revision: Int64, filter: RowFilter) throws -> [[String?]] {
        var rows: [[String?]] = []
        try cache.forEachObservationText(at: revision, filter: filter) { row in
            rows.append(
                (0..<ObservationTextRow.columnCount).map { row.text($0).map { String(decoding: $0, as: UTF8.self) } })
        }
        return rows
    }

    static func decodedRows(_ cache: any CacheReader, at revision: Int64, filter: RowFilter) throws -> [[String?]] {
        var rows: [[String?]] = []
        try cache.forEachObservation(at: revision, filter: filter) { o in
            rows.append([o.source, o.dataset, o.series, o.period, o.periodStart, o.periodEnd, o.value])
        }
        return rows
    }

    @Test(
        "The text stream has the rows and order of the decoded query, for any revision and filter",
        arguments: CacheBackend.allCases)
    func sameRowsAndOrder(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        // Two sources (named out of order), two datasets, series with annual, quarterly and
        // monthly periods mixed, so that period text order and period start order differ.
        func pull(round: Int) -> Pull {
            var rows: [Observation] = []
            for dataset in ["TRADE", "PRICES"] {
                for cmd in ["9701", "6704", "0307"] {
                    for period in ["2019", "2019-Q2", "2019-01", "2019-12", "2018-W52", "2019-06-30"] {
                        rows.append(observation(cmd, period, "\(round)\(cmd.prefix(2))", dataset: dataset))
                    }
                }
            }
            // Later rounds revise some rows and withdraw one.
            return snapshot(round == 1 ? rows : rows.filter { $0.period.text != "2019-Q2" || $0.dataset == "TRADE" })
        }
        var revisions: [Int64] = []
        for round in 1...3 {
            for source in ["zeta", "alpha"] {
                if let revision = try fixture.apply(pull(round: round), source: source).revision {
                    revisions.append(revision.id)
                }
            }
        }
        let filters = [
            RowFilter(), RowFilter(sources: ["zeta"]), RowFilter(dataset: "PRICES"), RowFilter(keyGlob: "*CMD=6704*"),
        ]
        for revision in revisions {
            for filter in filters {
                let text = try Self.textRows(fixture.cache, at: revision, filter: filter)
                #expect(!text.isEmpty)
                #expect(
                    text.map { Array($0.prefix(7)) }
                        == (try Self.decodedRows(fixture.cache, at: revision, filter: filter)))
            }
        }
        let first = try Self.textRows(fixture.cache, at: revisions[0], filter: RowFilter())
        #expect(first.first?.prefix(4) == ["zeta", "PRICES", first.first?[2], "2018-W52"])
    }
}

@Suite("Readers see every commit")
struct ReaderFreshnessTests {
    @Test(
        "A diff, then a new revision, then another diff in the same process sees the new revision",
        arguments: CacheBackend.allCases)
    func diffAfterWrite(backend: CacheBackend) throws {
        var fixture = try Fixture(backend)
        let first = try #require(try fixture.apply(snapshot([observation("6704", "2019-01", "1")])).revision)
        let second = try #require(try fixture.apply(snapshot([observation("6704", "2019-01", "2")])).revision)
        #expect(try fixture.cache.diff(from: first.id, to: second.id).observations.count == 1)
        let third = try #require(try fixture.apply(snapshot([observation("6704", "2019-01", "3")])).revision)
        // Every pooled reader, not only the one that ran the first diff, must see revision 3.
        for _ in 0..<8 {
            let diff = try fixture.cache.diff(from: second.id, to: third.id)
            #expect(diff.observations.map { $0.new?.value } == ["3"])
            #expect(try fixture.cache.resolve(.latest) == third.id)
        }
    }
}
