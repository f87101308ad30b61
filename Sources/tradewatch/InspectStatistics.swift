import Foundation
import TradeWatchFetch
import TradeWatchFormats
import TradeWatchModel
import TradeWatchSync

/// `inspect` on a statistics payload: the daemon's decoder for `source` reads `body`, and
/// what it hands the cache is printed as it comes (`--json`) or counted for the table.
struct InspectStatistics {
    /// What was fetched or read; `parsed` and `error` are written here, not encoded.
    var report: InspectReport
    var source: SourceConfiguration
    var body: FetchBody
    /// The URL (redacted) or file path, for messages.
    var place: String
    var contentType: String?
    var format: StatisticsFormat?
    var json: Bool

    /// Prints the result. Throws a `CommandFailure` (exit 1, one line) when the payload could
    /// not be read; with `--json` the document is still complete, with its `error`.
    func run() throws {
        let stream = StatisticsStream(json: json)
        if json {
            stream.emit(try Self.openDocument(report))
            stream.emit(",\n  \"parsed\" : {\n    \"kind\" : \"stats\",\n    \"format\" : ")
            stream.emit((format.map { JSONText.quoted($0.rawValue) } ?? "null") + ",\n    \"datasets\" : [")
        }
        var summary = StatisticsSummary()
        // The daemon's code for a payload it cannot use; `unreadable` is inspect's own, for a
        // body that could not be read at all.
        var failure: (code: String, message: String)?
        do {
            summary = try StatisticsDecoding.decode(
                body, source: source, url: place, contentType: contentType, into: stream.output)
        } catch let error as StatisticsDecodingError {
            failure = (error.code.rawValue, error.message)
        } catch {
            failure = ("unreadable", "\(place): \(Self.reason(error))")
        }
        stream.finish()
        let tally = stream.tally
        if json {
            stream.emit(
                "\n    ],\n    \"warnings\" : [" + summary.warnings.map(JSONText.quoted).joined(separator: ",")
                    + "],\n    \"summary\" : " + Self.summaryJSON(tally) + "\n  }")
            if let failure {
                stream.emit(
                    ",\n  \"error\" : " + JSONText.object([("code", failure.code), ("message", failure.message)]))
            }
            stream.emit("\n}\n")
            stream.finish()
        } else {
            printTable(tally, warnings: summary.warnings, failed: failure != nil)
        }
        if let failure { throw CommandFailure(message: failure.message, exitCode: 1) }
    }

    /// The report's fields so far as pretty JSON, without its closing brace.
    static func openDocument(_ report: InspectReport) throws -> String {
        let text = String(decoding: try Terminal.jsonEncoder(pretty: true).encode(report), as: UTF8.self)
        guard let close = text.lastIndex(of: "}") else { return "{" }
        return String(text[..<close]).trimmingTrailingWhitespace()
    }

    static func summaryJSON(_ tally: StatisticsTally) -> String {
        "{\"datasets\":\(tally.datasets),\"series\":\(tally.series),\"observations\":\(tally.observations)"
            + ",\"deletions\":\(tally.deletions),\"firstPeriod\":"
            + (tally.firstPeriod.map { JSONText.quoted($0.text) } ?? "null") + ",\"lastPeriod\":"
            + (tally.lastPeriod.map { JSONText.quoted($0.text) } ?? "null") + "}"
    }

    private func printTable(_ tally: StatisticsTally, warnings: [String], failed: Bool) {
        report.printHuman()
        func line(_ label: String, _ value: String) {
            Terminal.print(label.padding(toLength: 15, withPad: " ", startingAt: 0) + TerminalText.line(value))
        }
        line("format", (format?.rawValue ?? "unknown") + (failed ? " (not read to the end)" : ""))
        line("datasets", Human.count(tally.datasets))
        line("series", Human.count(tally.series))
        line("observations", Human.count(tally.observations))
        if tally.deletions > 0 { line("deletions", Human.count(tally.deletions)) }
        if let first = tally.firstPeriod { line("first period", first.text) }
        if let last = tally.lastPeriod { line("last period", last.text) }
        for warning in warnings { line("warning", warning) }
    }

    /// An I/O error's reason without Foundation's dump.
    static func reason(_ error: any Error) -> String {
        let error = error as NSError
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError,
            let reason = underlying.localizedFailureReason
        {
            return reason
        }
        return error.localizedFailureReason ?? error.localizedDescription
    }
}

extension String {
    fileprivate func trimmingTrailingWhitespace() -> String {
        var text = self
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
