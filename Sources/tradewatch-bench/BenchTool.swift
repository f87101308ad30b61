import ArgumentParser
import Foundation
import TradeWatchModel

@main
struct BenchTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tradewatch-bench",
        abstract: "tradewatch's benchmarks, and the load the crash tests interrupt.",
        discussion: "Each benchmark prints one JSON object per figure on stdout; scripts/bench tabulates them.",
        version: TradeWatch.version,
        subcommands: [
            CacheBenchmark.self, FetchBenchmark.self, FeedsBenchmark.self, CLIBenchmark.self, StatisticsBenchmark.self,
            ChurnCommand.self, DiffProbe.self, FeedProbe.self,
        ])
}

/// One measured figure, side by side with its peer.
struct Figure: Encodable {
    var benchmark: String
    var figure: String
    var unit: String
    var tradewatch: Double
    var peer: Double?
    var peerName: String?
    var goal: String?

    var ratio: Double? { peer.map { $0 == 0 ? 0 : tradewatch / $0 } }

    enum CodingKeys: String, CodingKey {
        case benchmark, figure, unit, tradewatch, peer, peerName, goal, ratio
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(benchmark, forKey: .benchmark)
        try container.encode(figure, forKey: .figure)
        try container.encode(unit, forKey: .unit)
        try container.encode(tradewatch, forKey: .tradewatch)
        try container.encodeIfPresent(peer, forKey: .peer)
        try container.encodeIfPresent(peerName, forKey: .peerName)
        try container.encodeIfPresent(goal, forKey: .goal)
        try container.encodeIfPresent(ratio, forKey: .ratio)
    }

    func emit() {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(self) else { return }
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}

/// Peak resident memory, from the kernel's own accounting.
enum ResourceUsage {
    /// VmHWM in MiB: the highest resident set size since start or the last `resetPeak()`.
    static func peakMiB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kib = line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? -1
            return kib / 1024
        }
        return -1
    }

    /// Resets the peak to the current resident size (Linux `clear_refs` 5).
    static func resetPeak() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (s, atto) = duration.components
        return Double(s) + Double(atto) / 1e18
    }
}
