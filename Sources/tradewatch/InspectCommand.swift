import ArgumentParser
import Foundation
import TradeWatchFetch
import TradeWatchFormats
import TradeWatchModel
import TradeWatchSync

struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Fetch a URL with the daemon's policy (or read a local file) and describe what came back.",
        discussion: """
            Feeds and statistics (SDMX-ML, SDMX-JSON, Comtrade JSON, CSV) are parsed as the daemon \
            parses them. A CSV needs its mapping: --mapping FILE.toml (the CSV keys of a source \
            table) or --source NAME --config FILE. Exits 0 on success, 1 when the fetch or the \
            parse fails.
            """)

    @Argument(help: "An http(s) URL, or the path of a local file.")
    var input: String

    @Flag(help: "Print one JSON document.")
    var json = false

    @Option(help: "Send If-None-Match with this ETag.")
    var etag: String?

    @Option(help: "Send If-Modified-Since with this HTTP date.")
    var lastModified: String?

    @Option(help: "The largest body to accept, e.g. 64MiB.")
    var maxBytes: String?

    @Option(help: "The whole transfer's time limit, e.g. 30s.")
    var timeout: String?

    @Option(help: "Parse as this kind instead of detecting it: feed, comtrade, sdmx or csv.")
    var kind: InspectKind?

    @Option(help: "A CSV's mapping: a TOML file with the CSV keys of a source table.")
    var mapping: String?

    @Option(help: "Parse as this configured source does (its kind, dataset and CSV mapping).")
    var source: String?

    @Option(help: "The configuration file --source is read from.")
    var config: String = "/etc/tradewatch/tradewatch.toml"

    func validate() throws {
        if let maxBytes, ByteSizeText.parse(maxBytes) == nil {
            throw ValidationError("--max-bytes: '\(maxBytes)' is not a size like 64MiB or 500000")
        }
        if let timeout, DurationText.parse(timeout) == nil {
            throw ValidationError("--timeout: '\(timeout)' is not a duration like 30s or 5m")
        }
        if mapping != nil && source != nil { throw ValidationError("give either --mapping or --source, not both") }
        if mapping != nil, let kind, kind != .csv {
            throw ValidationError("--mapping describes a CSV, not --kind \(kind)")
        }
    }

    func run() async throws {
        let configured = try await configuredSource()
        var report = InspectReport(input: Redaction.url(input))
        var body: FetchBody?
        var contentType: String?
        var url: String?
        // Kept until the body is read: a large answer is spilled to a file the fetcher owns.
        var fetcher: Fetcher?
        defer { fetcher?.shutdown() }
        if !input.contains("://"), FileManager.default.fileExists(atPath: input) {
            // Mapped, not read: a 200 MB message is paged in as the reader goes.
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: input), options: .alwaysMapped)
            } catch {
                throw CommandFailure(
                    message: "\(input): cannot be read: \(InspectStatistics.reason(error))", exitCode: 1)
            }
            report.file = InspectReport.FileSummary(path: input, bytes: data.count)
            body = .memory(data)
        } else {
            var limits = FetchLimits()
            if let maxBytes { limits.maxBytes = ByteSizeText.parse(maxBytes) ?? limits.maxBytes }
            if let timeout { limits.totalTimeout = DurationText.parse(timeout) ?? limits.totalTimeout }
            let client = try Fetcher()
            fetcher = client
            do {
                let response = try await client.fetch(
                    FetchRequest(url: input, etag: etag, lastModified: lastModified, limits: limits))
                report.fetch = InspectReport.FetchSummary(response)
                if !response.notModified {
                    body = response.body
                    contentType = response.contentType
                    url = response.effectiveURL
                }
            } catch let error as FetchError {
                report.error = InspectReport.ErrorSummary(error)
            }
        }
        if let body {
            // A prolog or a top-level value longer than the window (a long comment, ECB's
            // `structure` before `dataSets`): read on until the kind is clear.
            var size = FormatSniffer.window
            var head = try body.prefix(size)
            while head.count == size, size < 256 << 20,
                FormatSniffer.classify(head, contentType: contentType, complete: false) == nil
            {
                size *= 4
                head = try body.prefix(size)
            }
            let detected = FormatSniffer.sniff(head, contentType: contentType)
            report.detected = detected.rawValue
            if kind == nil, configured == nil, InspectStructure.isStructure(head, detected: detected) {
                try InspectStructure(report: report, body: body, place: url.map(Redaction.url) ?? input, json: json)
                    .run()
                return
            }
            if let source = try statisticsSource(detected: detected, configured: configured) {
                try InspectStatistics(
                    report: report, source: source, body: body, place: url.map(Redaction.url) ?? input,
                    contentType: contentType,
                    format: StatisticsFormat.detect(head, kind: detected) ?? source.statisticsFormat,
                    json: json
                ).run()
                return
            }
            report.parse(try body.data(), detected: detected, forced: kind, contentType: contentType, url: url)
        }
        if json {
            try Terminal.printJSON(report)
        } else {
            report.printHuman()
        }
        if report.error != nil { throw CommandFailure(message: "", exitCode: 1) }
    }
}

enum InspectKind: String, ExpressibleByArgument, CaseIterable {
    case feed
    case comtrade
    case sdmx
    case csv
}

/// What `inspect --json` prints. Field names are part of tradewatch's interface.
struct InspectReport: Encodable {
    struct FetchSummary: Encodable {
        var status: Int
        var url: String
        var redirects: Int
        var permanentRedirect: String?
        var etag: String?
        var lastModified: String?
        var contentType: String?
        var bytes: Int64
        var durationMs: Int64
        var notModified: Bool

        init(_ response: FetchResponse) {
            status = response.status
            url = response.effectiveURL
            redirects = response.redirects
            permanentRedirect = response.permanentRedirect.map(Redaction.url)
            etag = response.etag
            lastModified = response.lastModified
            contentType = response.contentType
            bytes = response.body.count
            let (seconds, attoseconds) = response.duration.components
            durationMs = seconds * 1000 + attoseconds / 1_000_000_000_000_000
            notModified = response.notModified
        }
    }

    struct ErrorSummary: Encodable {
        var code: String
        var message: String
        var httpStatus: Int?
        var retryAfterSeconds: Int64?

        init(_ error: FetchError) {
            code = error.code.rawValue
            message = error.message
            httpStatus = error.httpStatus
            retryAfterSeconds = error.retryAfter?.components.seconds
        }

        init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    struct FileSummary: Encodable {
        var path: String
        var bytes: Int
    }

    var input: String
    var fetch: FetchSummary?
    var error: ErrorSummary?
    var file: FileSummary?
    /// The kind of payload recognised from its first bytes (`rss`, `atom`, `sdmx-ml`, ...).
    var detected: String?
    /// What the parser made of it.
    var parsed: ParsedSummary?

    /// Parses `data` when it is (or the user says it is) a kind tradewatch reads; a parse
    /// failure is reported as the error.
    mutating func parse(_ data: Data, detected: PayloadKind, forced: InspectKind?, contentType: String?, url: String?) {
        guard forced == .feed || forced == nil && detected.isFeed else { return }
        do {
            parsed = ParsedSummary(try FeedParser.parse(data, contentType: contentType, url: url))
        } catch let failure as FeedError {
            error = ErrorSummary(code: failure.code.rawValue, message: failure.message)
        } catch {
            self.error = ErrorSummary(code: "malformed", message: "\(error)")
        }
    }

    func printHuman() {
        // Every line carries publisher text (validators, titles, warnings, error excerpts).
        func show(_ line: String) { Terminal.print(TerminalText.line(line)) }
        show("input          \(input)")
        if let fetch {
            show("status         \(fetch.status)\(fetch.notModified ? " (not modified)" : "")")
            show("url            \(fetch.url)")
            show("redirects      \(fetch.redirects)")
            if let moved = fetch.permanentRedirect { show("moved to       \(moved)") }
            if let etag = fetch.etag { show("etag           \(etag)") }
            if let lastModified = fetch.lastModified { show("last-modified  \(lastModified)") }
            if let contentType = fetch.contentType { show("content-type   \(contentType)") }
            show("bytes          \(fetch.bytes)")
            show("duration       \(fetch.durationMs) ms")
        }
        if let file { show("file           \(file.path) (\(file.bytes) bytes)") }
        if let detected { show("detected       \(detected)") }
        if let parsed {
            show("format         \(parsed.format)\(parsed.wellFormed ? "" : " (not well-formed, recovered)")")
            if let title = parsed.feed.title { show("title          \(title)") }
            show("entries        \(parsed.entries.count)")
            for warning in parsed.warnings.prefix(10) { show("warning        \(warning)") }
            for entry in parsed.entries.prefix(20) {
                let date = (entry.published ?? entry.updated).map { String($0.prefix(10)) } ?? "          "
                show("  \(date)  \(entry.title ?? entry.key)")
            }
        }
        if let error {
            show("error          \(error.code): \(error.message)")
            if let retry = error.retryAfterSeconds { show("retry after    \(retry) s") }
        }
    }
}
