import Foundation
import TestSupport
import Testing
import TradeWatchCache
import TradeWatchFormats
import TradeWatchModel

/// `diff --json`, written by the CLI's streaming JSON writer: a valid document whose strings
/// come back exactly as stored, whatever they hold.
@Suite("diff --json end to end")
struct DiffJSONTests {
    let cli = builtProduct("tradewatch")

    /// Every control character but NUL, JSON's own quote and backslash, a slash, DEL, bidi
    /// controls and text outside the Basic Multilingual Plane.
    static let awkward =
        String(String.UnicodeScalarView((1..<0x20).compactMap(Unicode.Scalar.init)))
        + "\"\\/\u{7f}\u{202e}\u{2028}𝄞😀"

    static func cache(_ directory: TemporaryDirectory) throws -> String {
        let path = directory.file("cache.db")
        let cache = try SQLiteCache(path: path)
        let series = SeriesKey(["CMD": "6704" + awkward])
        var clock = Date(timeIntervalSince1970: 1_561_939_200)
        func record(_ observations: [Observation], entries: [Entry]) throws {
            clock += 3600
            try cache.record(
                source: "customs", kind: "sdmx", attempt: FetchAttempt(startedAt: clock, url: "http://127.0.0.1/c"),
                result: .pulled(
                    PullContent(
                        Pull(
                            observations: observations, observationScope: .wholeSource, entries: entries,
                            entryScope: .all), searchText: HTMLCleaner.text)),
                finishedAt: clock)
        }
        try record(
            [
                Observation(
                    dataset: "T", series: series, period: Period("2019-01"), value: "4", unit: "USD" + awkward,
                    status: awkward),
                Observation(dataset: "T", series: series, period: Period("2019-02"), value: "1"),
            ],
            entries: [Entry(key: "urn:a", id: "urn:a", title: "old " + awkward, link: "https://example.org/a")])
        try record(
            [
                Observation(
                    dataset: "T", series: series, period: Period("2019-01"), value: "5", unit: "USD" + awkward,
                    status: "A", attributes: ["NOTE" + awkward: awkward])
            ],
            entries: [Entry(key: "urn:a", id: "urn:a", title: "new " + awkward, link: "https://example.org/a")])
        return path
    }

    @Test("Strings with every control character and non-BMP text come back exactly; absent values are left out")
    func awkwardText() throws {
        let directory = TemporaryDirectory()
        let db = try Self.cache(directory)
        let result = try run(cli, ["diff", "--db", db, "1..2", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(Set(document.keys) == ["diffs"])
        let diff = try #require((document["diffs"] as? [[String: Any]])?.first)
        #expect(Set(diff.keys) == ["entries", "from", "observations", "to"])
        #expect(diff["from"] as? Int == 1 && diff["to"] as? Int == 2)

        let figures = try #require(diff["observations"] as? [[String: Any]])
        #expect(figures.map { $0["kind"] as? String } == ["changed", "removed"])
        let changed = figures[0]
        #expect(
            Set(changed.keys) == [
                "dataset", "kind", "labels", "new", "old", "period", "relativeChange", "series", "source",
            ])
        // Each dimension's code (no names are stored here), the hostile code exactly.
        let labels = try #require(changed["labels"] as? [String: [String: String]])
        #expect(labels == ["CMD": ["code": "6704" + Self.awkward]])
        #expect((changed["series"] as? String)?.hasSuffix(Self.awkward) == true)
        #expect(changed["relativeChange"] as? Double == 0.25)
        let old = try #require(changed["old"] as? [String: Any])
        let new = try #require(changed["new"] as? [String: Any])
        #expect(old["status"] as? String == Self.awkward)
        #expect(old["unit"] as? String == "USD" + Self.awkward)
        #expect(old["attributes"] as? [String: String] == [:])
        #expect(new["attributes"] as? [String: String] == ["NOTE" + Self.awkward: Self.awkward])
        #expect(new["revision"] as? Int == 2 && new["value"] as? String == "5")
        // A removed figure has no new version and no relative change: the keys are left out.
        #expect(Set(figures[1].keys) == ["dataset", "kind", "labels", "old", "period", "series", "source"])
        #expect((figures[1]["old"] as? [String: Any]).map { Set($0.keys) } == ["attributes", "revision", "value"])

        let articles = try #require(diff["entries"] as? [[String: Any]])
        #expect(articles.count == 1)
        #expect(articles.first?["oldTitle"] as? String == "old " + Self.awkward)
        #expect(articles.first?["newTitle"] as? String == "new " + Self.awkward)
        #expect(articles.first?["oldTitleType"] as? String == "text")
        #expect(articles.first?["changedFields"] as? [String] == ["title"])

        // No range matched: an empty list, still one valid document.
        let none = try run(cli, ["diff", "--db", db, "--source", "nothing", "--json"])
        #expect(none.status == 0, "\(none.stderr)")
        let empty = try JSONSerialization.jsonObject(with: Data(none.stdout.utf8)) as? [String: Any]
        #expect((empty?["diffs"] as? [Any])?.isEmpty == true)
    }
}
