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
    static let folder = repositoryRoot + "/../shared/corpora/feeds/testdata/translator"
    static var available: Bool { FileManager.default.fileExists(atPath: folder) }

    struct Outcome {
        var passed: [String] = []
        var failed: [(String, [String])] = []
        var skipped: [String] = []
    }

    static func run() throws -> Outcome {
        var outcome = Outcome()
        for family in ["rss", "atom", "json"] {
            let directory = folder + "/" + family
            for file in try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
            where file.hasSuffix(".json") && family != "json" || (family == "json" && file.hasSuffix("_expected.json"))
            {
                let stem = String(file.dropLast(".json".count))
                let input =
                    family == "json" ? stem.replacingOccurrences(of: "_expected", with: "") + ".json" : stem + ".xml"
                guard let expectedData = FileManager.default.contents(atPath: directory + "/" + file),
                    let expected = try JSONSerialization.jsonObject(with: expectedData) as? [String: Any],
                    let data = FileManager.default.contents(atPath: directory + "/" + input)
                else { continue }
                let name = family + "/" + stem
                let parsed: ParsedFeed
                do {
                    parsed = try FeedParser.parse(data)
                } catch {
                    outcome.failed.append((name, ["parse failed: \(error)"]))
                    continue
                }
                let differences = compare(expected, parsed)
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
                check(p + "categories", categories.joined(separator: "|"), entry.categories.joined(separator: "|"))
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

    @Test("At least 95% of the cases that map pass", .enabled(if: available, "../shared/corpora is absent: skipped"))
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
