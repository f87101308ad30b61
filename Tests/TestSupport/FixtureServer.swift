import Foundation
public import TradeWatchFetch

/// The scenario server in Tests/Fixtures/http_server.py, started on 127.0.0.1 with an
/// ephemeral port for the life of this value.
public final class FixtureServer: Sendable {
    public let port: Int
    private let process: Process

    public init() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/http_server.py").path
        (process, port) = try startLoopbackServer(["python3", script])
    }

    deinit {
        // SIGKILL: a child of the test runner may inherit a signal mask that blocks SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    public func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// The server's counters: transfers open at once on /hold, and hits per path.
    public func stats(using fetcher: Fetcher, reset: Bool = false) async throws -> [String: Any] {
        let response = try await fetcher.fetch(FetchRequest(url: url("/stats" + (reset ? "?reset=1" : ""))))
        return (try JSONSerialization.jsonObject(with: try response.body.data()) as? [String: Any]) ?? [:]
    }
}

public struct FixtureError: Error, CustomStringConvertible {
    public var message: String

    public init(message: String) { self.message = message }

    public var description: String { message }
}

/// Starts a server that prints `PORT <n>` as its first line; returns the process and the port.
func startLoopbackServer(_ arguments: [String]) throws -> (Process, Int) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
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
        throw FixtureError(message: "\(arguments.dropFirst().first ?? "the server") did not start: \(text)")
    }
    return (process, port)
}
