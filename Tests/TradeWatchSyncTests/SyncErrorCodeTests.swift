import Foundation
import Testing
import TradeWatchCache
import TradeWatchDaemon
import TradeWatchFetch
import TradeWatchFormats
@testable import TradeWatchSync

@Suite("Sync error codes are a stable interface")
struct SyncErrorCodeTests {
    /// The codes the README's table lists, in its order: what the cache stores in
    /// `fetch.error_code` and `last_error_code`, and what `status`, `--once` and `--json` print.
    static let documented = [
        "config", "credential", "parse", "cache", "internal", "aborted", "unexpected-format",
        "not-a-feed", "malformed", "publisher-error", "not-ready", "invalid-value",
        "invalid-url", "dns", "connect", "tls", "timeout", "too-large", "too-many-redirects", "protocol-not-allowed",
        "http-status", "rate-limited", "io",
    ]

    @Test("Every code's raw value is the one the README documents, and no other exists")
    func documentedCodes() {
        #expect(SyncErrorCode.allCases.map(\.rawValue) == Self.documented)
    }

    @Test("A lower layer's code keeps its raw value one layer up")
    func wrapping() {
        for code in FetchError.Code.allCases {
            #expect(SyncErrorCode(code).rawValue == code.rawValue)
        }
        for code in [FeedError.Code.notAFeed, .malformed] {
            #expect(SyncErrorCode(code).rawValue == code.rawValue)
        }
        for code in [StatisticsError.Code.malformed, .publisherError, .notReady, .invalidValue] {
            #expect(SyncErrorCode(code).rawValue == code.rawValue)
        }
    }

    @Test("The --once line, log interpolation and the control socket's JSON print the raw value")
    func printedForms() throws {
        let outcome = SyncOutcome(
            source: "login-page", outcome: .failed, revision: nil, errorCode: .notAFeed,
            errorMessage: "the server sent an HTML page", nextDue: Date(), duration: .zero, requests: 1)
        #expect(outcome.summaryLine.contains("login-page: failed — not-a-feed: the server sent an HTML page"))
        #expect("code=\(SyncErrorCode.tooManyRedirects)" == "code=too-many-redirects")

        let reply = ControlReply(ok: false, results: [ControlReply.Result(outcome)])
        let json = String(decoding: try JSONEncoder().encode(reply), as: UTF8.self)
        #expect(json.contains(#""errorCode":"not-a-feed""#), "\(json)")
        let decoded = try JSONDecoder().decode(ControlReply.self, from: Data(json.utf8))
        #expect(decoded.results?.first?.errorCode == SyncErrorCode.notAFeed.rawValue)
        // A code this client does not know (a newer daemon's) still reads, as its text.
        let newer = Data(
            #"{"ok":false,"code":"some-new-refusal","error":"why","results":[{"source":"s","outcome":"failed","errorCode":"some-new-code","summary":"s: failed"}]}"#
                .utf8)
        let read = try JSONDecoder().decode(ControlReply.self, from: newer)
        #expect(read.code == nil && read.error == "why")
        let busy = try JSONDecoder().decode(
            ControlReply.self, from: Data(#"{"ok":false,"code":"busy","error":"x"}"#.utf8))
        #expect(busy.code == .busy)
        #expect(read.results?.first?.errorCode == "some-new-code")
    }
}
