import ArgumentParser
import Foundation
import TradeWatchCache
import TradeWatchModel

struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "The revision log: when each source changed, and by how much.")

    @OptionGroup var cache: CacheOptions

    @Option(help: "Only these sources (repeatable).")
    var source: [String] = []

    @Option(help: "Only revisions at or after this time (RFC 3339 or a date).")
    var since: String?

    @Option(help: "Only revisions at or before this time.")
    var until: String?

    @Option(help: "At most this many revisions, newest first.")
    var limit: Int?

    @Flag(help: "Print one JSON document.")
    var json = false

    @Option(help: "Rows as csv or ndjson instead of a table.")
    var format: RowFormat?

    func validate() throws {
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, TimeArgument.parse(value) == nil {
                throw ValidationError("\(name): '\(value)' is not a time like 2019-07-03 or 2019-07-03T12:00:00Z")
            }
        }
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
    }

    func run() async throws {
        let revisions = try cache.open().log(
            sources: source.isEmpty ? nil : source, since: since.flatMap(TimeArgument.parse),
            until: until.flatMap(TimeArgument.parse), limit: limit)
        if json {
            try Terminal.printJSON(["revisions": revisions])
            return
        }
        if let format {
            try RowOutput.print(
                revisions, format: format,
                header: ["id", "source", "fetchID", "createdAt", "added", "changed", "removed", "labels"]
            ) { r in
                [
                    String(r.id), r.source, r.fetchID.map(String.init), Timestamp.format(r.createdAt), String(r.added),
                    String(r.changed), String(r.removed), String(r.labels),
                ]
            }
            return
        }
        var table = Table([
            ("REV", .right), ("TIME", .left), ("AGE", .right), ("SOURCE", .left), ("ADDED", .right),
            ("CHANGED", .right), ("REMOVED", .right), ("LABELS", .right),
        ])
        for revision in revisions {
            table.add([
                String(revision.id), Timestamp.format(revision.createdAt), Human.relative(revision.createdAt),
                revision.source, Human.count(revision.added), Human.count(revision.changed),
                Human.count(revision.removed), Human.count(revision.labels),
            ])
        }
        Terminal.print(revisions.isEmpty ? "no revisions" : table.render())
    }
}

/// Times on the command line: RFC 3339, or a bare date meaning its start (UTC).
enum TimeArgument {
    static func parse(_ text: String) -> Date? {
        if let date = Timestamp.parse(text) { return date }
        guard let day = CalendarDate(text) else { return nil }
        return Date(timeIntervalSince1970: Double(day.daysSinceEpoch) * 86_400)
    }
}
