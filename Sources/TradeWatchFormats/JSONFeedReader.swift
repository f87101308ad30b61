import Foundation
import TradeWatchModel

/// JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/).
enum JSONFeedReader {
    static func parse(_ data: Data, url: String?) throws -> ParsedFeed {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw FeedError(code: .malformed, message: "not valid JSON")
        }
        let version = object["version"] as? String ?? ""
        // The spec wants the jsonfeed.org URL; bare "1.0"/"1.1" occurs in the wild.
        guard version.contains("jsonfeed.org/version/") || ["1", "1.0", "1.1"].contains(version),
            object["items"] is [Any]
        else {
            throw FeedError(code: .notAFeed, message: "JSON without a JSON Feed version and items")
        }
        let base = (object["feed_url"] as? String ?? url).flatMap { URL(string: $0) }
        func resolve(_ value: Any?) -> String? {
            guard let text = value as? String, !text.isEmpty else { return nil }
            return URL(string: text, relativeTo: base)?.absoluteString ?? text
        }
        var warnings: [String] = []
        func date(_ value: Any?, _ field: String) -> Date? {
            guard let text = value as? String, !text.isEmpty else { return nil }
            if let date = FeedDate.parse(text) { return date }
            warnings.append("unreadable date in \(field): \"\(text.prefix(60))\" (left out)")
            return nil
        }
        func authors(_ item: [String: Any]) -> [Entry.Author] {
            var list = (item["authors"] as? [[String: Any]]) ?? []
            if list.isEmpty, let single = item["author"] as? [String: Any] { list = [single] }
            return list.map { Entry.Author(name: $0["name"] as? String, uri: resolve($0["url"])) }
                .filter { $0 != Entry.Author() }
        }
        let feedAuthors = authors(object)
        let drafts = ((object["items"] as? [[String: Any]]) ?? []).map { item -> DraftEntry in
            var draft = DraftEntry()
            draft.id = (item["id"] as? String) ?? (item["id"] as? NSNumber)?.stringValue
            draft.title = (item["title"] as? String).map { PublishedText(value: $0, type: .text) }
            draft.link = resolve(item["url"])
            if let external = resolve(item["external_url"]) {
                draft.links.append(Entry.Link(href: external, rel: "related"))
            }
            // JSON Feed's summary and content_text are plain text, content_html is HTML: each is
            // kept as published, with its type.
            draft.summary = (item["summary"] as? String).map { PublishedText(value: $0, type: .text) }
            draft.content =
                (item["content_html"] as? String).map { PublishedText(value: $0, type: .html) }
                ?? (item["content_text"] as? String).map { PublishedText(value: $0, type: .text) }
            draft.published = date(item["date_published"], "date_published")
            draft.updated = date(item["date_modified"], "date_modified")
            let itemAuthors = authors(item)
            draft.authors = itemAuthors.isEmpty ? feedAuthors : itemAuthors
            draft.categories = (item["tags"] as? [String]) ?? []
            draft.enclosures = ((item["attachments"] as? [[String: Any]]) ?? []).compactMap { attachment in
                guard let href = resolve(attachment["url"]) else { return nil }
                return Entry.Link(
                    href: href, rel: "enclosure", type: attachment["mime_type"] as? String,
                    length: (attachment["size_in_bytes"] as? NSNumber)?.int64Value)
            }
            return draft
        }
        var keys = EntryKeys()
        let entries = drafts.map { keys.entry(from: $0, warnings: &warnings) }
        // JSON Feed has no feed-level date: the newest item's stands for it.
        let newest = entries.compactMap { $0.updated ?? $0.published }.max()
        let info = ParsedFeed.Info(
            title: object["title"] as? String, link: resolve(object["home_page_url"]),
            description: object["description"] as? String, language: object["language"] as? String, updated: newest,
            ttl: nil, image: resolve(object["icon"]) ?? resolve(object["favicon"]))
        return ParsedFeed(
            format: version.hasSuffix("1.1") ? .jsonFeed11 : .jsonFeed10, encoding: "UTF-8", wellFormed: true,
            warnings: warnings, feed: info, entries: entries)
    }
}
