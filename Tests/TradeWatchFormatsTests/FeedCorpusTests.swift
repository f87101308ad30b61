import Foundation
import TestSupport
import Testing
import TradeWatchFormats
import TradeWatchModel

/// gofeed's translator test documents (`../shared/corpora/feeds`): each `name.xml` with the
/// expected universal feed in `name.json`. Their field names map onto ours; fields we do not
/// model are skipped, and so is a case with nothing left to compare.
@Suite("Feed conformance against gofeed's documents")
struct FeedCorpusTests {
    static let folder = Corpora.root + "/feeds/testdata/translator"
    static var available: Bool { Corpora.folder("feeds/testdata/translator") != nil }

    struct Outcome {
        var passed: [String] = []
        var failed: [(String, [String])] = []
        var skipped: [String] = []
    }

    static func run() throws -> Outcome {
        try run(folder: folder, prefix: "") { _, expected, parsed in compare(expected, parsed) }
    }

    /// Every case of `folder` (`rss/`, `atom/`, `json/`): `name.xml` or `name.json` with the
    /// expected result in `name.json` or `name_expected.json`.
    static func run(
        folder: String, prefix: String, compare: (String, [String: Any], ParsedFeed) -> [String]?
    ) throws -> Outcome {
        var outcome = Outcome()
        for family in ["rss", "atom", "json"] {
            let directory = folder + "/" + family
            for file in try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
            where family == "json" ? file.hasSuffix("_expected.json") : file.hasSuffix(".json") {
                let stem = String(file.dropLast(".json".count))
                let input =
                    family == "json" ? stem.replacingOccurrences(of: "_expected", with: "") + ".json" : stem + ".xml"
                guard let expectedData = FileManager.default.contents(atPath: directory + "/" + file),
                    let expected = try JSONSerialization.jsonObject(with: expectedData) as? [String: Any],
                    let data = FileManager.default.contents(atPath: directory + "/" + input)
                else { continue }
                let name = prefix + family + "/" + stem
                let parsed: ParsedFeed
                do {
                    parsed = try FeedParser.parse(data)
                } catch {
                    outcome.failed.append((name, ["parse failed: \(error)"]))
                    continue
                }
                let differences = compare(family, expected, parsed)
                if differences == nil {
                    outcome.skipped.append(name)
                } else if differences?.isEmpty == true {
                    outcome.passed.append(name)
                } else {
                    outcome.failed.append((name, differences ?? []))
                }
            }
        }
        return outcome
    }

    /// The differences on mapped fields; nil when the case holds no field we model.
    static func compare(_ expected: [String: Any], _ parsed: ParsedFeed) -> [String]? {
        var differences: [String] = []
        var compared = 0
        func check(_ label: String, _ want: String?, _ got: String?) {
            guard let want else { return }
            compared += 1
            if want.trimmingCharacters(in: .whitespacesAndNewlines)
                != (got ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            {
                differences.append("\(label): expected \"\(want.prefix(80))\", got \"\((got ?? "nil").prefix(80))\"")
            }
        }
        func date(_ value: Any?) -> String? {
            guard let text = value as? String, let date = try? Date(text, strategy: .iso8601) else { return nil }
            return Timestamp.format(date)
        }
        check("feed.title", expected["title"] as? String, parsed.feed.title)
        check("feed.link", expected["link"] as? String, parsed.feed.link)
        check("feed.description", expected["description"] as? String, parsed.feed.description)
        check("feed.language", expected["language"] as? String, parsed.feed.language)
        check("feed.updated", date(expected["updatedParsed"]), parsed.feed.updated.map(Timestamp.format))
        check("feed.image", (expected["image"] as? [String: Any])?["url"] as? String, parsed.feed.image)
        let items = expected["items"] as? [[String: Any]] ?? []
        if items.count != parsed.entries.count {
            compared += 1
            differences.append("expected \(items.count) items, got \(parsed.entries.count)")
        }
        for (index, (item, entry)) in zip(items, parsed.entries).enumerated() {
            let p = "items[\(index)]."
            check(p + "title", item["title"] as? String, entry.title)
            check(p + "link", item["link"] as? String, entry.link)
            check(p + "description", item["description"] as? String, entry.summary)
            check(p + "content", item["content"] as? String, entry.content)
            check(p + "guid", item["guid"] as? String, entry.id)
            check(p + "published", date(item["publishedParsed"]), entry.published.map(Timestamp.format))
            check(p + "updated", date(item["updatedParsed"]), entry.updated.map(Timestamp.format))
            if let categories = item["categories"] as? [String] {
                // gofeed's universal item names an Atom category by its label when it has one;
                // we keep the term, with the label beside it.
                check(
                    p + "categories", categories.joined(separator: "|"),
                    entry.categories.map { entry.categoryLabels[$0] ?? $0 }.joined(separator: "|"))
            }
            if let authors = item["authors"] as? [[String: Any]] {
                check(
                    p + "authors",
                    authors.map { "\($0["name"] as? String ?? "")<\($0["email"] as? String ?? "")>" }.joined(
                        separator: ","),
                    entry.authors.map { "\($0.name ?? "")<\($0.email ?? "")>" }.joined(separator: ","))
            }
            if let enclosures = item["enclosures"] as? [[String: Any]] {
                check(
                    p + "enclosures", enclosures.compactMap { $0["url"] as? String }.joined(separator: ","),
                    entry.enclosures.map(\.href).joined(separator: ","))
            }
        }
        return compared == 0 ? nil : differences
    }

    // MARK: gofeed's parser documents

    /// gofeed's per-format parser documents (`testdata/parser`): the expected values are in
    /// gofeed's RSS, Atom and JSON structs, mapped here onto ours. The format version is
    /// checked too, but a case that holds nothing else we model is skipped.
    static let parserFolder = Corpora.root + "/feeds/testdata/parser"

    static func runParserSet() throws -> Outcome {
        try run(folder: parserFolder, prefix: "parser/", compare: compareParser)
    }

    static func compareParser(_ family: String, _ expected: [String: Any], _ parsed: ParsedFeed) -> [String]? {
        var differences: [String] = []
        var compared = 0
        func same(_ a: String, _ b: String) -> Bool {
            a.trimmingCharacters(in: .whitespacesAndNewlines) == b.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        func check(_ label: String, _ want: String?, _ got: String?) {
            guard let want, !want.isEmpty else { return }
            compared += 1
            if !same(want, got ?? "") {
                differences.append("\(label): expected \"\(want.prefix(80))\", got \"\((got ?? "nil").prefix(80))\"")
            }
        }
        func date(_ value: Any?) -> String? {
            guard let text = value as? String, let date = try? Date(text, strategy: .iso8601) else { return nil }
            return Timestamp.format(date)
        }
        /// A feed's title of type html or xhtml: gofeed keeps its markup; the channel's title is
        /// the text a reader sees (tags dropped, the five XML entities decoded once, whitespace
        /// collapsed). An entry's title is kept as published, markup included, and compared as
        /// it is.
        func text(_ value: Any?) -> String? {
            guard var title = value as? String else { return nil }
            title = title.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
            for (entity, character) in [
                ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&apos;", "'"), ("&amp;", "&"),
            ] {
                title = title.replacingOccurrences(of: entity, with: character)
            }
            return title.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
        func strings(_ value: Any?, key: String) -> [String]? {
            (value as? [[String: Any]])?.compactMap { $0[key] as? String }
        }
        // The version is checked but does not by itself make a case comparable.
        if let version = expected["version"] as? String {
            let want: String
            switch family {
            case "rss": want = version == "1.0" ? "rss1.0" : "rss" + version
            case "atom": want = "atom" + version
            default: want = "jsonfeed" + version
            }
            if want != parsed.format.rawValue {
                differences.append("format: expected \(want), got \(parsed.format.rawValue)")
            }
        }
        switch family {
        case "rss":
            check("feed.title", expected["title"] as? String, parsed.feed.title)
            check("feed.link", expected["link"] as? String, parsed.feed.link)
            check("feed.description", expected["description"] as? String, parsed.feed.description)
            check("feed.language", expected["language"] as? String, parsed.feed.language)
            check("feed.image", (expected["image"] as? [String: Any])?["url"] as? String, parsed.feed.image)
            check("feed.ttl", expected["ttl"] as? String, parsed.feed.ttl.map(String.init))
        case "atom":
            check("feed.title", text(expected["title"]), parsed.feed.title)
            check("feed.subtitle", expected["subtitle"] as? String, parsed.feed.description)
            check("feed.language", expected["language"] as? String, parsed.feed.language)
            check("feed.updated", date(expected["updatedParsed"]), parsed.feed.updated.map(Timestamp.format))
        default:
            check("feed.title", text(expected["title"]), parsed.feed.title)
            check("feed.home_page_url", expected["home_page_url"] as? String, parsed.feed.link)
            check("feed.description", expected["description"] as? String, parsed.feed.description)
        }
        let items = (expected["items"] ?? expected["entries"]) as? [[String: Any]] ?? []
        if items.count != parsed.entries.count {
            compared += 1
            differences.append("expected \(items.count) items, got \(parsed.entries.count)")
        }
        for (index, (item, entry)) in zip(items, parsed.entries).enumerated() {
            let p = "items[\(index)]."
            switch family {
            case "rss":
                check(p + "title", item["title"] as? String, entry.title)
                check(p + "link", item["link"] as? String, entry.link)
                check(p + "description", item["description"] as? String, entry.summary)
                check(p + "content", item["content"] as? String, entry.content)
                check(p + "guid", (item["guid"] as? [String: Any])?["value"] as? String, entry.id)
                check(p + "pubDate", date(item["pubDateParsed"]), entry.published.map(Timestamp.format))
                if let categories = strings(item["categories"], key: "value"), !categories.isEmpty {
                    check(p + "categories", categories.joined(separator: "|"), entry.categories.joined(separator: "|"))
                }
                let enclosures =
                    strings(item["enclosures"], key: "url")
                    ?? ((item["enclosure"] as? [String: Any])?["url"] as? String).map { [$0] }
                if let enclosures, !enclosures.isEmpty {
                    check(
                        p + "enclosures", enclosures.joined(separator: ","),
                        entry.enclosures.map(\.href).joined(separator: ","))
                }
            case "atom":
                check(p + "title", item["title"] as? String, entry.title)
                check(p + "id", item["id"] as? String, entry.id)
                check(p + "summary", item["summary"] as? String, entry.summary)
                check(p + "content", (item["content"] as? [String: Any])?["value"] as? String, entry.content)
                check(p + "published", date(item["publishedParsed"]), entry.published.map(Timestamp.format))
                check(p + "updated", date(item["updatedParsed"]), entry.updated.map(Timestamp.format))
                if let links = item["links"] as? [[String: Any]] {
                    let alternate = links.first { ($0["rel"] as? String ?? "alternate") == "alternate" }
                    check(p + "link", alternate?["href"] as? String, entry.link)
                }
                if let authors = strings(item["authors"], key: "name"), !authors.isEmpty {
                    check(
                        p + "authors", authors.joined(separator: ","),
                        entry.authors.compactMap(\.name).joined(separator: ","))
                }
                if let terms = strings(item["categories"], key: "term"), !terms.isEmpty {
                    check(p + "categories", terms.joined(separator: "|"), entry.categories.joined(separator: "|"))
                }
            default:
                check(p + "id", item["id"] as? String, entry.id)
                check(p + "url", item["url"] as? String, entry.link)
                check(p + "title", text(item["title"]), entry.title)
                check(p + "content_html", item["content_html"] as? String, entry.content)
                check(p + "summary", item["summary"] as? String, entry.summary)
                check(p + "date_published", date(item["date_published"]), entry.published.map(Timestamp.format))
                if let tags = item["tags"] as? [String], !tags.isEmpty {
                    check(p + "tags", tags.joined(separator: "|"), entry.categories.joined(separator: "|"))
                }
            }
        }
        return compared == 0 ? nil : differences
    }

    @Test(
        "gofeed's parser documents: at least 95% of the cases that map pass",
        .enabled(if: Corpora.folder("feeds/testdata/parser") != nil, "no corpus at TRADEWATCH_CORPORA/feeds: skipped"))
    func parserConformance() throws {
        let outcome = try Self.runParserSet()
        let mapped = outcome.passed.count + outcome.failed.count
        let rate = mapped == 0 ? 0 : Double(outcome.passed.count) / Double(mapped)
        let report =
            "feed parser conformance: \(outcome.passed.count) of \(mapped) mapped cases pass "
            + "(\(String(format: "%.1f", rate * 100))%), \(outcome.skipped.count) skipped as not modelled"
        print(report)
        for (name, differences) in outcome.failed.prefix(80) {
            print("  \(name): \(differences.joined(separator: "; "))")
        }
        #expect(rate >= 0.95, "\(report)")
    }

    @Test(
        "At least 95% of the cases that map pass",
        .enabled(if: available, "no corpus at TRADEWATCH_CORPORA/feeds: skipped"))
    func conformance() throws {
        let outcome = try Self.run()
        let mapped = outcome.passed.count + outcome.failed.count
        let rate = mapped == 0 ? 0 : Double(outcome.passed.count) / Double(mapped)
        let report =
            "feed conformance: \(outcome.passed.count) of \(mapped) mapped cases pass "
            + "(\(String(format: "%.1f", rate * 100))%), \(outcome.skipped.count) skipped as not modelled"
        print(report)
        for (name, differences) in outcome.failed.prefix(60) {
            print("  \(name): \(differences.joined(separator: "; "))")
        }
        #expect(rate >= 0.95, "\(report)")
    }
}
