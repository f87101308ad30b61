import ArgumentParser
import Foundation
import TradeWatchCache
import TradeWatchFormats
import TradeWatchModel

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Full-text search over the current version of every article.",
        discussion: "QUERY is SQLite FTS5 syntax: words (all must match), \"a phrase\", OR, NOT, prefix*.")

    @OptionGroup var cache: CacheOptions

    @Argument(help: "What to look for.")
    var query: String

    @Option(help: "Only these sources (repeatable).")
    var source: [String] = []

    @Option(help: "Only articles published at or after this time (RFC 3339 or a date).")
    var since: String?

    @Option(help: "At most this many hits.")
    var limit = 20

    @Flag(help: "Print one JSON document.")
    var json = false

    func validate() throws {
        if let since, TimeArgument.parse(since) == nil {
            throw ValidationError("--since: '\(since)' is not a time like 2019-07-03")
        }
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
        try Self.checkBounds(query)
    }

    /// A query FTS5 answers quickly: a search of tens of thousands of terms runs for minutes.
    static let maxQueryBytes = 1024
    static let maxQueryTerms = 64

    static func checkBounds(_ query: String) throws {
        if query.utf8.count > maxQueryBytes {
            throw ValidationError(
                "the query is \(query.utf8.count) bytes long; at most \(maxQueryBytes) are searched for")
        }
        let terms = query.split(whereSeparator: { $0.isWhitespace }).count
        if terms > maxQueryTerms {
            throw ValidationError("the query has \(terms) terms; at most \(maxQueryTerms) are searched for")
        }
    }

    func run() async throws {
        let hits: [SearchHit]
        do {
            hits = try cache.open().search(
                query, sources: source.isEmpty ? nil : source, since: since.flatMap(TimeArgument.parse), limit: limit)
        } catch let error as CacheError where error.code == .database {
            throw CommandFailure(message: "cannot search for '\(query)': \(error.message)", exitCode: 2)
        }
        let report = SearchReport(hits: hits)
        if json {
            try Terminal.printJSON(report)
            return
        }
        if hits.isEmpty { Terminal.print("no matches") }
        for (hit, found) in zip(report.hits, hits) {
            let date = hit.published.map { String(Timestamp.format($0).prefix(10)) } ?? "          "
            let title = found.entry.entry.titleText ?? hit.key
            Terminal.print("\(date)  \(TerminalText.line(hit.source))  \(TerminalText.line(title))")
            if let link = hit.link { Terminal.print("            \(TerminalText.line(link))") }
            // The indexed text joins summary and content with line breaks: one line here.
            let line = hit.snippet.split(whereSeparator: \.isNewline).joined(separator: " ")
            Terminal.print("            " + Self.highlight(TerminalText.line(line)))
        }
    }

    /// Matches come back between [ and ]: bold them on a terminal, leave the brackets otherwise.
    /// `snippet` is escaped already: the only escape sequences are the ones added here.
    static func highlight(_ snippet: String) -> String {
        guard Terminal.useColour else { return snippet }
        return snippet.replacingOccurrences(of: "[", with: "\u{1b}[1m").replacingOccurrences(of: "]", with: "\u{1b}[0m")
    }
}

/// `search --json`.
struct SearchReport: Encodable {
    struct Hit: Encodable {
        var source: String
        var key: String
        /// As published; `titleType` says whether it is text or HTML.
        var title: String?
        var titleType: TextType?
        var link: String?
        var published: Date?
        /// The matching text with matches between `[` and `]`.
        var snippet: String
    }

    var hits: [Hit]

    init(hits: [SearchHit]) {
        self.hits = hits.map {
            Hit(
                source: $0.source, key: $0.entry.entry.key, title: $0.entry.entry.title,
                titleType: $0.entry.entry.title == nil ? nil : $0.entry.entry.titleType, link: $0.entry.entry.link,
                published: $0.entry.entry.published ?? $0.entry.entry.updated, snippet: $0.snippet)
        }
    }
}
