import ArgumentParser
import Foundation
import TradeWatchFetch
import TradeWatchModel

/// GETs of one body from a local server with a fixed number in flight, beside
/// `curl --parallel` fetching the same URLs in the same run.
struct FetchBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch", abstract: "Requests per second and peak RSS against curl --parallel.")

    @Option(help: "The URL to fetch repeatedly (a query string is added to make each URL distinct).")
    var url: String

    @Option(help: "How many GETs.")
    var count = 2000

    @Option(help: "Transfers in flight at once.")
    var concurrency = 16

    @Option(
        help: "Requests handed to the fetcher at once (0: all of them, as a scheduler with every source due would).")
    var window = 0

    func run() async throws {
        let urls = (0..<count).map { "\(url)\(url.contains("?") ? "&" : "?")n=\($0)" }
        let curlRate = try curlParallel(urls)

        let fetcher = try Fetcher(
            configuration: FetchConfiguration(maxConcurrent: concurrency, maxPerHost: concurrency))
        defer { fetcher.shutdown() }
        ResourceUsage.resetPeak()
        let clock = ContinuousClock.now
        let window = self.window > 0 ? self.window : urls.count
        let bytes = try await withThrowingTaskGroup(of: Int64.self) { group in
            var total: Int64 = 0
            for (index, url) in urls.enumerated() {
                if index >= window, let done = try await group.next() { total += done }
                group.addTask { try await fetcher.fetch(FetchRequest(url: url)).body.count }
            }
            return try await group.reduce(total, +)
        }
        let seconds = ResourceUsage.seconds(.now - clock)
        Figure(
            benchmark: "fetch",
            figure:
                "\(count) GETs of \(bytes / Int64(count)) B, \(concurrency) in flight, "
                + (self.window > 0 ? "\(self.window) handed over at a time" : "all handed over at once"),
            unit: "req/s", tradewatch: Double(count) / seconds, peer: curlRate,
            peerName: "curl --parallel --parallel-max \(concurrency)", goal: ">= 0.8 of curl"
        ).emit()
        Figure(
            benchmark: "fetch",
            figure: "peak RSS, "
                + (self.window > 0 ? "\(self.window) handed over at a time" : "all handed over at once"),
            unit: "MiB", tradewatch: ResourceUsage.peakMiB(),
            goal: "< 40 MiB"
        ).emit()
    }

    private func curlParallel(_ urls: [String]) throws -> Double {
        let config = NSTemporaryDirectory() + "tradewatch-bench-curl-\(getpid()).txt"
        defer { try? FileManager.default.removeItem(atPath: config) }
        try urls.map { "url = \"\($0)\"\noutput = \"/dev/null\"\n" }.joined().write(
            toFile: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "curl", "--silent", "--parallel", "--parallel-max", String(concurrency), "--config", config,
        ]
        let clock = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ValidationError("curl exited \(process.terminationStatus)") }
        return Double(urls.count) / ResourceUsage.seconds(.now - clock)
    }
}
