public import Foundation
import TradeWatchFetch

/// The publisher simulator (`scripts/publisher`) on 127.0.0.1 with an ephemeral port, for the
/// life of this value. Its content is a pure function of the seed and the round.
public final class Publisher: Sendable {
    public let port: Int
    private let process: Process

    public init(seed: Int = 408, round: Int = 0, items: Int = 12) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", repositoryRoot + "/scripts/publisher", "--seed", "\(seed)", "--round", "\(round)", "--items",
            "\(items)",
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            guard let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty else { break }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            kill(process.processIdentifier, SIGKILL)
            throw FixtureError(message: "the publisher did not start: \(text)")
        }
        self.port = port
        self.process = process
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
