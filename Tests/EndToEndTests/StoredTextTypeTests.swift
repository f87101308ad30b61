import Foundation
import TestSupport
import Testing

/// A feed's text fields through the whole pipeline (the daemon's `--once` against a server on
/// 127.0.0.1, then the CLI on the cache it wrote): each field stored as published with its
/// type, searched and shown as the text a reader sees.
@Suite("Feed text types end to end: stored as published, searched and shown as text")
struct StoredTextTypeTests {
    let cli = builtProduct("tradewatch")
    static let fixture = repositoryRoot + "/Tests/Fixtures/feeds/text-types.atom.xml"
    static let htmlTitled = "urn:uuid:0b7d2f64-5c1e-4c3f-9e0a-2f6f1d5a9c02"

    func json(_ result: ProcessResult) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return try #require(object, "not a JSON object: \(result.stdout)\(result.stderr)")
    }

    @Test("A text summary is stored as its characters, an html title as its markup; both read as text")
    func pipeline() async throws {
        let directory = TemporaryDirectory()
        let files = TemporaryDirectory()
        let publisher = try DirectoryPublisher(root: files.path)
        try publisher.publish("feed", try #require(FileManager.default.contents(atPath: Self.fixture)))
        let db = directory.file("cache.db")
        let config = directory.file("tradewatch.toml")
        try """
        [daemon]
        cache = "\(db)"
        jitter = "0s"
        startup_spread = "0s"

        [[source]]
        name = "news"
        kind = "feed"
        url = "\(publisher.url("/feed"))"

        """.write(toFile: config, atomically: true, encoding: .utf8)
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "JOURNAL_STREAM")
        let once = try await runOffPool(builtProduct("tradewatchd"), ["--config", config, "--once"], environment: env)
        #expect(once.status == 0, "\(once.stdout)\(once.stderr)")

        // Stored as published, with the type: `show --json`.
        let shown = try json(try run(cli, ["show", "news", "--json", "--db", db]))
        let articles = try #require(shown["entries"] as? [[String: Any]])
        let article = try #require(articles.first { $0["id"] as? String == Self.htmlTitled })
        #expect(article["summary"] as? String == "1 < 2 & rising")
        #expect(article["summaryType"] as? String == "text")
        #expect(article["title"] as? String == "A <b>bold</b> move")
        #expect(article["titleType"] as? String == "html")
        #expect(articles.compactMap { $0["title"] as? String }.contains("Less: <em> &lt; </em>"))

        // Searched as text: the summary's characters, the title's words.
        let rising = try json(try run(cli, ["search", "\"2 rising\"", "--json", "--db", db]))
        let hits = try #require(rising["hits"] as? [[String: Any]])
        #expect(hits.count == 1)
        #expect(hits.first?["snippet"] as? String == "1 < [2 & rising]", "\(hits)")
        #expect(hits.first?["titleType"] as? String == "html")
        let noEntity = try json(try run(cli, ["search", "amp", "--json", "--db", db]))
        #expect((noEntity["hits"] as? [[String: Any]])?.isEmpty == true)
        let bold = try run(cli, ["search", "bold", "--db", db])
        #expect(bold.status == 0, "\(bold.stderr)")
        #expect(bold.stdout.components(separatedBy: "A bold move").count == 3, "\(bold.stdout)")
        #expect(!bold.stdout.contains("<b>"), "\(bold.stdout)")

        // Shown as text: the table, the history.
        let table = try run(cli, ["show", "news", "--db", db])
        #expect(table.stdout.contains("A bold move"), "\(table.stdout)")
        #expect(table.stdout.contains("Less: <"), "\(table.stdout)")
        #expect(!table.stdout.contains("<b>"), "\(table.stdout)")
        let history = try run(cli, ["history", Self.htmlTitled, "--source", "news", "--db", db])
        #expect(history.stdout.contains("A bold move"), "\(history.stdout)")
        let versions = try json(try run(cli, ["history", Self.htmlTitled, "--source", "news", "--json", "--db", db]))
        let first = (versions["versions"] as? [[String: Any]])?.first
        #expect(first?["titleType"] as? String == "html")
        #expect(first?["summary"] as? String == "1 < 2 & rising")

        // `inspect --json` reads the same document the same way.
        let inspected = try json(try run(cli, ["inspect", "--json", Self.fixture]))
        let parsed = try #require((inspected["parsed"] as? [String: Any])?["entries"] as? [[String: Any]])
        #expect(parsed.first?["title"] as? String == "A <b>bold</b> move")
        #expect(parsed.first?["titleType"] as? String == "html")
        #expect(parsed.first?["summary"] as? String == "1 < 2 & rising")
        #expect(parsed.first?["summaryType"] as? String == "text")
        #expect(parsed.dropFirst().first?["contentType"] as? String == "text")

        // The export carries each field with its type.
        let out = directory.file("export")
        let export = try run(cli, ["export", "--db", db, "--out", out, "--format", "csv"])
        #expect(export.status == 0, "\(export.stderr)")
        let csv = try String(contentsOfFile: out + "/entries.csv", encoding: .utf8)
        #expect(csv.hasPrefix("source,key,id,title,title_type,link,"), "\(csv)")
        #expect(csv.contains(",A <b>bold</b> move,html,"), "\(csv)")
        #expect(csv.contains(",1 < 2 & rising,text,"), "\(csv)")
    }
}
