public import Foundation
import TradeWatchFetch

/// The publisher simulator (`scripts/publisher`) on 127.0.0.1 with an ephemeral port, for the
/// life of this value. Its content is a pure function of the seed and the round.
public final class Publisher: Sendable {
    public let port: Int
    private let process: Process

    public init(seed: Int = 408, round: Int = 0, items: Int = 12) throws {
        (process, port) = try startLoopbackServer([
            "python3", repositoryRoot + "/scripts/publisher", "--seed", "\(seed)", "--round", "\(round)", "--items",
            "\(items)",
        ])
    }

    deinit {
        // SIGKILL: a child of the test runner may inherit a signal mask that blocks SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    public var base: String { "http://127.0.0.1:\(port)" }

    public func url(_ path: String) -> String { base + path }

    /// Publishes the next round (new, edited and removed articles; new, revised, finalised
    /// and withdrawn figures) and returns its number.
    @discardableResult
    public func advance() async throws -> Int {
        let object = try JSONSerialization.jsonObject(with: try await get("/_admin/advance")) as? [String: Any]
        return object?["round"] as? Int ?? -1
    }

    /// A body as the publisher serves it now.
    public func get(_ path: String) async throws -> Data {
        let fetcher = try Fetcher()
        defer { fetcher.shutdown() }
        return try await fetcher.fetch(FetchRequest(url: url(path))).body.data()
    }
}
