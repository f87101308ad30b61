import Foundation
import TestSupport
import Testing
import TradeWatchCache
import TradeWatchFormats
import TradeWatchModel

/// `log`, `diff` and `history` on a cache built through the cache's API.
@Suite("Revision commands end to end")
struct RevisionCommandsTests {
    let cli = builtProduct("tradewatch")

    /// customs: r1 adds two figures; news: r2 adds an article; customs: r3 revises one figure
    /// (P → A) and removes the other; news: r4 edits the article's title.
    static func scriptedCache(_ directory: TemporaryDirectory) throws -> String {
        let path = directory.file("cache.db")
        let cache = try SQLiteCache(path: path)
        let series = SeriesKey(["FREQ": "M", "REPORTER": "156", "PARTNER": "408", "CMD": "6704"])
        let other = SeriesKey(["FREQ": "M", "REPORTER": "156", "PARTNER": "408", "CMD": "9701"])
        var clock = Date(timeIntervalSince1970: 1_561_939_200)
        func figures(_ observations: [Observation]) throws {
            clock += 3600
            try cache.record(
                source: "customs", kind: "sdmx", attempt: FetchAttempt(startedAt: clock, url: "http://127.0.0.1/c"),
                result: .pulled(
                    PullContent(
                        Pull(observations: observations, observationScope: .wholeSource), searchText: HTMLCleaner.text)),
                finishedAt: clock)
        }
        func articles(_ title: String) throws {
            clock += 3600
            let entry = Entry(
                key: "urn:a1", id: "urn:a1", title: title, link: "https://example.org/a1", summary: "Wigs")
            try cache.record(
                source: "news", kind: "feed", attempt: FetchAttempt(startedAt: clock, url: "http://127.0.0.1/n"),
                result: .pulled(PullContent(Pull(entries: [entry], entryScope: .all), searchText: HTMLCleaner.text)),
                finishedAt: clock)
        }
        try figures([
            Observation(dataset: "TRADE", series: series, period: Period("2019-03"), value: "1000", status: "P"),
            Observation(dataset: "TRADE", series: other, period: Period("2019-03"), value: "5"),
        ])
        try articles("Wig exports rise")
        try figures([
            Observation(dataset: "TRADE", series: series, period: Period("2019-03"), value: "1250", status: "A")
        ])
        try articles("Wig exports surge")
        return path
    }

    @Test("log lists revisions newest first, with counts, as a table and as JSON")
    func log() throws {
        let directory = TemporaryDirectory()
        let db = try Self.scriptedCache(directory)
        let table = try run(cli, ["log", "--db", db])
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("REV") == true)
        #expect(lines.count == 5)
        #expect(lines[1].drop { $0 == " " }.hasPrefix("4") && lines[1].contains("news"))
        let json = try run(cli, ["log", "--db", db, "--json", "--source", "customs"])
        let revisions = try #require(
            (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["revisions"]
                as? [[String: Any]])
        #expect(revisions.map { $0["id"] as? Int } == [3, 1])
        #expect(revisions.first?["changed"] as? Int == 1)
        #expect(revisions.first?["removed"] as? Int == 1)
        #expect(revisions.first?["createdAt"] as? String == "2019-07-01T03:00:00.000Z")
    }

    @Test("diff shows old → new with the relative change and the flag change; by default each source's last change")
    func diff() throws {
        let directory = TemporaryDirectory()
        let db = try Self.scriptedCache(directory)
        let table = try run(cli, ["diff", "--db", db, "1..3"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("1000"))
        #expect(table.stdout.contains("1250"))
        #expect(table.stdout.contains("+25.0%"))
        #expect(table.stdout.contains("P → A"))

        let json = try run(cli, ["diff", "--db", db, "--json"])
        let diffs = try #require(
            (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["diffs"]
                as? [[String: Any]])
        #expect(diffs.count == 2)
        let figures = diffs.flatMap { $0["observations"] as? [[String: Any]] ?? [] }
        #expect(figures.map { $0["kind"] as? String }.sorted { ($0 ?? "") < ($1 ?? "") } == ["changed", "removed"])
        let articles = diffs.flatMap { $0["entries"] as? [[String: Any]] ?? [] }
        #expect(articles.first?["changedFields"] as? [String] == ["title"])
        #expect(articles.first?["oldTitle"] as? String == "Wig exports rise")

        let csv = try run(cli, ["diff", "--db", db, "1..3", "--format", "csv"])
        #expect(csv.stdout.hasPrefix("from,to,kind,source,dataset,series,period,old_value,new_value"))
        #expect(
            csv.stdout.contains(
                "1,3,changed,customs,TRADE,FREQ=M.REPORTER=156.PARTNER=408.CMD=6704,2019-03,1000,1250,P,A,0.25"))
        // Rows are streamed as the diff finds them: the same figures as the JSON document, in
        // both directions, and for every source's last change without a range.
        let backwards = try run(cli, ["diff", "--db", db, "3..1", "--format", "csv"])
        #expect(
            backwards.stdout.contains(
                "3,1,changed,customs,TRADE,FREQ=M.REPORTER=156.PARTNER=408.CMD=6704,2019-03,1250,1000,A,P,-0.2"))
        let forwardKinds = csv.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[2] }
        let backwardKinds = backwards.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[2] }
        #expect(forwardKinds.contains("removed") && backwardKinds.contains("added"))
        #expect(forwardKinds.count == backwardKinds.count)
        let perSource = try run(cli, ["diff", "--db", db, "--format", "ndjson"])
        #expect(perSource.stdout.split(separator: "\n").count == figures.count)
        // The JSON document is written as it is found too: the same figures as the CSV rows.
        let backwardsJSON = try run(cli, ["diff", "--db", db, "3..1", "--json"])
        let backwardsDiffs = try #require(
            (try JSONSerialization.jsonObject(with: Data(backwardsJSON.stdout.utf8)) as? [String: Any])?["diffs"]
                as? [[String: Any]])
        let backwardsFigures = backwardsDiffs.flatMap { $0["observations"] as? [[String: Any]] ?? [] }
        #expect(backwardsFigures.count == backwardKinds.count)
        #expect(backwardsFigures.compactMap { $0["kind"] as? String } == backwardKinds.map(String.init))
        #expect(backwardsDiffs.first?["from"] as? Int == 3)
        let ndjson = try run(cli, ["log", "--db", db, "--format", "ndjson"])
        let lines = ndjson.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(first?["id"] as? String == "4")
        #expect(first?["source"] as? String == "news")

        let full = try run(cli, ["diff", "--db", db, "--since", "2019-07-01T02:30:00Z", "--full"])
        #expect(full.status == 0, "\(full.stderr)")
        #expect(full.stdout.contains("  - Wig exports rise"))
        #expect(full.stdout.contains("  + Wig exports surge"))
        #expect(full.stdout.contains("1250"))
        #expect(try run(cli, ["diff", "--db", db, "--until", "2019-07-02"]).status == 2)

        let filtered = try run(cli, ["diff", "--db", db, "1..3", "--key", "*CMD=9701*", "--json"])
        #expect(filtered.stdout.contains("removed") && !filtered.stdout.contains("1250"))
        #expect(try run(cli, ["diff", "--db", db, "x..y"]).status == 2)
    }

    @Test("history lists every version of a figure and of an article")
    func history() throws {
        let directory = TemporaryDirectory()
        let db = try Self.scriptedCache(directory)
        let figure = try run(cli, ["history", "--db", db, "FREQ=M.REPORTER=156.PARTNER=408.CMD=6704@2019-03"])
        #expect(figure.status == 0, "\(figure.stderr)")
        // What the figure is, dimension by dimension, then its versions.
        let lines = figure.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("customs / TRADE @ 2019-03") == true)
        #expect(lines.contains { $0.contains("PARTNER") && $0.contains("408") })
        let rows = lines.drop { !$0.hasPrefix("FROM") }.dropFirst()
        #expect(rows.count == 2)
        #expect(rows.first?.contains("1000") == true && rows.first?.contains("P") == true)
        #expect(rows.last?.contains("1250") == true && rows.last?.contains("now") == true)

        let article = try run(cli, ["history", "--db", db, "urn:a1", "--json"])
        let versions = try #require(
            (try JSONSerialization.jsonObject(with: Data(article.stdout.utf8)) as? [String: Any])?["versions"]
                as? [[String: Any]])
        #expect(versions.map { $0["title"] as? String } == ["Wig exports rise", "Wig exports surge"])
        #expect(versions.last?["changedFields"] as? [String] == ["title"])

        let missing = try run(cli, ["history", "--db", db, "FREQ=A@1999"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no figure"))
    }
}

@Suite("search end to end")
struct SearchCommandTests {
    let cli = builtProduct("tradewatch")

    @Test("search finds current articles with highlighted snippets; a bad query is a usage error")
    func search() throws {
        let directory = TemporaryDirectory()
        let db = try RevisionCommandsTests.scriptedCache(directory)
        let result = try run(cli, ["search", "--db", db, "surge"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Wig exports surge"))
        #expect(result.stdout.contains("[surge]"))
        let old = try run(cli, ["search", "--db", db, "rise", "--json"])
        #expect(old.stdout.contains("\"hits\" : [\n\n  ]") || old.stdout.contains("\"hits\" : []"))
        let broken = try run(cli, ["search", "--db", db, "\"unbalanced"])
        #expect(broken.status == 2)
        #expect(broken.stderr.contains("cannot search"))
    }
}

@Suite("show end to end")
struct ShowCommandTests {
    let cli = builtProduct("tradewatch")

    @Test("show gives a source's data as of any revision, as a table, CSV or JSON")
    func show() throws {
        let directory = TemporaryDirectory()
        let db = try RevisionCommandsTests.scriptedCache(directory)
        let latest = try run(cli, ["show", "--db", db, "customs", "--format", "csv"])
        #expect(latest.status == 0, "\(latest.stderr)")
        #expect(latest.stdout.split(separator: "\n").count == 2)
        #expect(latest.stdout.contains("2019-03,1250,,A,3"))
        let before = try run(cli, ["show", "--db", db, "customs", "--as-of", "1", "--json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(before.stdout.utf8)) as? [String: Any])
        let rows = try #require(report["observations"] as? [[String: Any]])
        #expect(rows.compactMap { $0["value"] as? String }.sorted() == ["1000", "5"])
        let articles = try run(cli, ["show", "--db", db, "news", "--as-of", "@2019-07-01T02:30:00Z"])
        #expect(articles.stdout.contains("Wig exports rise"))
        #expect(try run(cli, ["show", "--db", db, "nowhere"]).status == 1)
    }

    @Test("sources lists what the cache holds of each source")
    func sources() throws {
        let directory = TemporaryDirectory()
        let db = try RevisionCommandsTests.scriptedCache(directory)
        let result = try run(cli, ["sources", "--db", db])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1].hasPrefix("customs") && lines[1].hasSuffix("3"))
        #expect(lines[2].hasPrefix("news") && lines[2].hasSuffix("4"))
        // Then each dataset, with its series (and its title when the publisher gave one).
        #expect(lines[3].isEmpty && lines[4].hasPrefix("SOURCE") && lines[4].contains("DATASET"))
        #expect(lines[5].hasPrefix("customs") && lines[5].contains("TRADE"))
    }
}
