import Foundation
import TestSupport
import Testing
import TradeWatchFetch
import TradeWatchModel

/// Every test talks to the scenario server on 127.0.0.1.
@Suite("Fetching over libcurl")
struct FetcherTests {
    let server: FixtureServer
    let fetcher: Fetcher

    init() throws {
        server = try FixtureServer()
        fetcher = try Fetcher(
            configuration: FetchConfiguration(maxConcurrent: 32, maxPerHost: 4, contact: "ops@example.org"))
    }

    func expectFailure(
        _ request: FetchRequest, code: FetchError.Code, sourceLocation: SourceLocation = #_sourceLocation
    ) async -> FetchError? {
        do {
            let response = try await fetcher.fetch(request)
            Issue.record("expected \(code.rawValue), got HTTP \(response.status)", sourceLocation: sourceLocation)
            return nil
        } catch let error as FetchError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            return error
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    @Test("A plain GET returns status, validators, content type with charset and the body")
    func plainGet() async throws {
        let response = try await fetcher.fetch(FetchRequest(url: server.url("/ok?size=1000")))
        #expect(response.status == 200)
        #expect(response.etag == "\"v1\"")
        #expect(response.lastModified == "Mon, 01 Jul 2019 00:00:00 GMT")
        #expect(response.charset == "iso-8859-1")
        #expect(response.headers["cache-control"] == "max-age=60")
        #expect(try response.body.data().count == 1000)
        #expect(response.redirects == 0)
        #expect(response.bytesOnWire > 1000)
        #expect(!response.notModified)
    }

    @Test("A key in the URL that the server echoes percent-encoded or in base64 is hidden from the error")
    func echoedKeyInError() async throws {
        // `inspect URL` passes no secrets of its own: the fetcher finds them in the URL.
        let url = server.url("/echo/401?subscription-key=SeKr1tKEYab%2B/Cd%3DEf")
        let error = try await #require(throws: FetchError.self) { try await fetcher.fetch(FetchRequest(url: url)) }
        let text = "\(error)"
        #expect(text.contains("invalid subscription key *** *** *** *** ***"), "\(text)")
        for form in ["SeKr1tKEYab", "U2VLcjF0S0VZ"] { #expect(!text.contains(form), "\(text)") }
    }

    @Test("The User-Agent names tradewatch, its version and the contact")
    func userAgent() async throws {
        let response = try await fetcher.fetch(FetchRequest(url: server.url("/headers")))
        let headers = try JSONSerialization.jsonObject(with: try response.body.data()) as? [String: String]
        #expect(headers?["user-agent"] == "tradewatch/\(TradeWatch.version) (+ops@example.org)")
        #expect(headers?["accept-encoding"]?.contains("gzip") == true)
    }

    @Test("A matching ETag or Last-Modified gets 304 Not Modified")
    func conditional() async throws {
        let byETag = try await fetcher.fetch(FetchRequest(url: server.url("/ok"), etag: "\"v1\""))
        #expect(byETag.notModified)
        #expect(try byETag.body.data().isEmpty)
        let byDate = try await fetcher.fetch(
            FetchRequest(url: server.url("/ok"), lastModified: "Mon, 01 Jul 2019 00:00:00 GMT"))
        #expect(byDate.status == 304)
        let stale = try await fetcher.fetch(FetchRequest(url: server.url("/ok"), etag: "\"v0\""))
        #expect(stale.status == 200)
    }

    @Test("A gzip body arrives decoded")
    func gzipBody() async throws {
        let response = try await fetcher.fetch(FetchRequest(url: server.url("/gzip")))
        let body = try response.body.data()
        let expected = 5 + 13 * 2000 + 6
        #expect(body.count == expected)
        #expect(String(decoding: body.prefix(5), as: UTF8.self) == "<rss>")
        #expect(response.bytesOnWire < Int64(body.count))
    }

    @Test("HTTP errors carry the status", arguments: [404, 500])
    func httpErrors(status: Int) async {
        let error = await expectFailure(FetchRequest(url: server.url("/status/\(status)")), code: .httpStatus)
        #expect(error?.httpStatus == status)
    }

    @Test("429 with Retry-After in seconds or as an HTTP date, and 503 with Retry-After, are rate limiting")
    func rateLimited() async {
        let seconds = await expectFailure(FetchRequest(url: server.url("/ratelimit/seconds")), code: .rateLimited)
        #expect(seconds?.retryAfter == .seconds(120))
        let date = await expectFailure(FetchRequest(url: server.url("/ratelimit/date")), code: .rateLimited)
        let delay = date?.retryAfter?.components.seconds ?? -1
        #expect((80...91).contains(delay), "delay \(delay)")
        let unavailable = await expectFailure(FetchRequest(url: server.url("/unavailable")), code: .rateLimited)
        #expect(unavailable?.httpStatus == 503)
        #expect(unavailable?.retryAfter == .seconds(30))
    }

    @Test("Redirect chains are followed; only an unbroken run of permanent ones moves the source")
    func redirects() async throws {
        let temporary = try await fetcher.fetch(FetchRequest(url: server.url("/redirect/3")))
        #expect(temporary.status == 200)
        #expect(temporary.redirects == 4)
        #expect(temporary.effectiveURL == server.url("/ok"))
        #expect(temporary.permanentRedirect == nil)

        let permanent = try await fetcher.fetch(FetchRequest(url: server.url("/permanent/2")))
        #expect(permanent.redirects == 3)
        #expect(permanent.permanentRedirect == server.url("/ok"))

        let mixed = try await fetcher.fetch(FetchRequest(url: server.url("/moved-then-temporary")))
        #expect(mixed.permanentRedirect == server.url("/redirect/1"))
    }

    @Test("A redirect loop stops at the redirect limit")
    func redirectLoop() async {
        var request = FetchRequest(url: server.url("/loop"))
        request.limits.maxRedirects = 5
        _ = await expectFailure(request, code: .tooManyRedirects)
    }

    @Test("A redirect to file:// is refused, and so is a file:// URL")
    func redirectToFile() async {
        let error = await expectFailure(FetchRequest(url: server.url("/to-file")), code: .protocolNotAllowed)
        #expect(error?.message.contains("root:") != true)
        _ = await expectFailure(FetchRequest(url: "file:///etc/passwd"), code: .protocolNotAllowed)
        _ = await expectFailure(FetchRequest(url: "gopher://127.0.0.1/"), code: .protocolNotAllowed)
        _ = await expectFailure(FetchRequest(url: "not a url"), code: .invalidURL)
    }

    @Test(
        "A body over the limit stops, with or without a Content-Length",
        arguments: ["/big?size=3000000", "/chunked?size=3000000"])
    func tooLarge(path: String) async {
        var request = FetchRequest(url: server.url(path))
        request.limits.maxBytes = 1 << 20
        let error = await expectFailure(request, code: .tooLarge)
        #expect(error?.message.contains("1048576") == true)
    }

    @Test("A gzip bomb stops at the limit on decoded bytes")
    func gzipBomb() async {
        var request = FetchRequest(url: server.url("/bomb?mb=10"))
        request.limits.maxBytes = 1 << 20
        _ = await expectFailure(request, code: .tooLarge)
    }

    @Test("A server that trickles one byte a second is abandoned by the low-speed limit")
    func lowSpeed() async {
        var request = FetchRequest(url: server.url("/slow"))
        request.limits.lowSpeedBytesPerSecond = 100
        request.limits.lowSpeedWindow = .seconds(2)
        let started = ContinuousClock.now
        _ = await expectFailure(request, code: .timeout)
        // The body would take 1,000 s to arrive; being abandoned at all is the point.
        #expect(ContinuousClock.now - started < .seconds(300))
    }

    @Test("A connection reset mid-body is an I/O error")
    func connectionReset() async {
        _ = await expectFailure(FetchRequest(url: server.url("/reset")), code: .io)
    }

    @Test("Nothing listening is a connect error")
    func refused() async throws {
        let closed = try FixtureServer()
        let url = closed.url("/ok")
        _ = consume closed
        _ = await expectFailure(FetchRequest(url: url), code: .connect)
    }

    @Test("Cancelling the task aborts its transfer promptly")
    func cancellation() async throws {
        let fetcher = self.fetcher
        let url = server.url("/hold?ms=120000")
        let task = Task { try await fetcher.fetch(FetchRequest(url: url)) }
        try await Task.sleep(for: .milliseconds(300))
        let started = ContinuousClock.now
        task.cancel()
        do {
            _ = try await task.value
            Issue.record("the transfer finished instead of being aborted")
        } catch let error as FetchError {
            #expect(error.code == .aborted)
        }
        // The server holds for 120 s, and `.aborted` (not `.timeout`, not a response) already says
        // the cancellation ended it; the bound is loose because a loaded two-core machine can
        // keep the test's own task waiting for a thread for seconds.
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test("200 transfers with a per-host limit of 4 never have more than 4 open at once")
    func perHostLimit() async throws {
        _ = try await server.stats(using: fetcher, reset: true)
        let fetcher = self.fetcher
        let url = server.url("/hold?ms=20")
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<200 { group.addTask { try await fetcher.fetch(FetchRequest(url: url)).status } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.count == 200 && statuses.allSatisfy { $0 == 200 })
        let stats = try await server.stats(using: fetcher)
        let maxOpen = stats["maxOpen"] as? Int ?? -1
        #expect(maxOpen == 4, "the server saw \(maxOpen) open at once")
    }

    @Test("A body past the memory threshold goes to a temporary file, removed after use")
    func spillToFile() async throws {
        let directory = NSTemporaryDirectory() + "tradewatch-spill-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let small = try Fetcher(
            configuration: FetchConfiguration(memoryThreshold: 64 << 10, temporaryDirectory: directory))
        defer { small.shutdown() }
        var path: String?
        do {
            let response = try await small.fetch(FetchRequest(url: server.url("/ok?size=1000000")))
            guard case .file(let file) = response.body else {
                Issue.record("expected the body in a file")
                return
            }
            path = file.path
            #expect(file.size == 1_000_000)
            var total = 0
            try response.body.withChunks(chunkSize: 100_000) { total += $0.count }
            #expect(total == 1_000_000)
            #expect(FileManager.default.fileExists(atPath: file.path))
        }
        #expect(path.map { !FileManager.default.fileExists(atPath: $0) } == true)
    }

    @Test("Secrets in the URL never appear in errors")
    func redactedErrors() async {
        let error = await expectFailure(
            FetchRequest(url: server.url("/status/403?subscription-key=TOPSECRET123"), secrets: ["TOPSECRET123"]),
            code: .httpStatus)
        #expect(error?.url.contains("TOPSECRET123") == false)
        #expect(error?.url.contains("subscription-key=***") == true)
        #expect(error?.description.contains("TOPSECRET123") == false)
    }
}
