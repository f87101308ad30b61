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
        discussion: "Exits 0 on success, 1 when the fetch fails.")

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

    func validate() throws {
        if let maxBytes, ByteSizeText.parse(maxBytes) == nil {
            throw ValidationError("--max-bytes: '\(maxBytes)' is not a size like 64MiB or 500000")
        }
        if let timeout, DurationText.parse(timeout) == nil {
            throw ValidationError("--timeout: '\(timeout)' is not a duration like 30s or 5m")
        }
    }

    func run() async throws {
        var report = InspectReport(input: Redaction.url(input))
        if !input.contains("://"), FileManager.default.fileExists(atPath: input) {
            let data = try Data(contentsOf: URL(fileURLWithPath: input))
            report.file = InspectReport.FileSummary(path: input, bytes: data.count)
            report.detected = FormatSniffer.sniff(data).rawValue
        } else {
            var limits = FetchLimits()
            if let maxBytes { limits.maxBytes = ByteSizeText.parse(maxBytes) ?? limits.maxBytes }
            if let timeout { limits.totalTimeout = DurationText.parse(timeout) ?? limits.totalTimeout }
            let fetcher = try Fetcher()
            defer { fetcher.shutdown() }
            do {
                let response = try await fetcher.fetch(
                    FetchRequest(url: input, etag: etag, lastModified: lastModified, limits: limits))
                report.fetch = InspectReport.FetchSummary(response)
                if !response.notModified {
                    var head = Data()
                    try response.body.withChunks(chunkSize: FormatSniffer.window) { chunk in
                        if head.count < FormatSniffer.window { head.append(chunk) }
                    }
                    report.detected = FormatSniffer.sniff(head, contentType: response.contentType).rawValue
                }
            } catch let error as FetchError {
                report.error = InspectReport.ErrorSummary(error)
            }
        }
        if json {
            try Terminal.printJSON(report)
        } else {
            report.printHuman()
        }
        if report.error != nil { throw CommandFailure(message: "", exitCode: 1) }
    }
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

    func printHuman() {
        Terminal.print("input          \(input)")
        if let fetch {
            Terminal.print("status         \(fetch.status)\(fetch.notModified ? " (not modified)" : "")")
            Terminal.print("url            \(fetch.url)")
            Terminal.print("redirects      \(fetch.redirects)")
            if let moved = fetch.permanentRedirect { Terminal.print("moved to       \(moved)") }
            if let etag = fetch.etag { Terminal.print("etag           \(etag)") }
            if let lastModified = fetch.lastModified { Terminal.print("last-modified  \(lastModified)") }
            if let contentType = fetch.contentType { Terminal.print("content-type   \(contentType)") }
            Terminal.print("bytes          \(fetch.bytes)")
            Terminal.print("duration       \(fetch.durationMs) ms")
        }
        if let file { Terminal.print("file           \(file.path) (\(file.bytes) bytes)") }
        if let detected { Terminal.print("detected       \(detected)") }
        if let error {
            Terminal.print("error          \(error.code): \(error.message)")
            if let retry = error.retryAfterSeconds { Terminal.print("retry after    \(retry) s") }
        }
    }
}
