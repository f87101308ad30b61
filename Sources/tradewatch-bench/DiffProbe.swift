import ArgumentParser
import Foundation
import TradeWatchCache

/// Times one diff of an existing cache several times over (for profiling the diff alone).
struct DiffProbe: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff-probe", shouldDisplay: false)
    @Option var db: String
    @Option var from: Int64
    @Option var to: Int64
    @Option var repeats = 5

    func run() throws {
        let cache = try CacheDatabase(path: db, access: .readOnly)
        for _ in 0..<repeats {
            let clock = ContinuousClock.now
            let count = try cache.diff(from: from, to: to).observations.count
            print(count, ContinuousClock.now - clock)
        }
    }
}
