import ArgumentParser
import Foundation
import TradeWatchFormats

/// Parses one feed file several times over (for profiling the feed parser alone).
struct FeedProbe: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "feed-probe", shouldDisplay: false)
    @Option var file: String
    @Option var repeats = 3

    func run() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        for _ in 0..<repeats {
            var entries = 0
            let clock = ContinuousClock.now
            let parser = FeedStreamParser(url: "https://example.org/feed") { _ in entries += 1 }
            var offset = 0
            while offset < data.count {
                parser.feed(data.subdata(in: offset..<min(data.count, offset + (1 << 16))))
                offset += 1 << 16
            }
            _ = try parser.finish()
            let seconds =
                Double((ContinuousClock.now - clock).components.attoseconds) / 1e18
                + Double((ContinuousClock.now - clock).components.seconds)
            print(entries, String(format: "%.1f MB/s", Double(data.count) / 1e6 / seconds))
        }
    }
}
