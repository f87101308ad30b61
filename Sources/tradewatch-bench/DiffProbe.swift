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
        let cache = try SQLiteCache(path: db, access: .readOnly)
        var timings: [Double] = []
        var cpu: [Double] = []
        func cpuMilliseconds() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
            return Double(time.tv_sec) * 1000 + Double(time.tv_nsec) / 1_000_000
        }
        for _ in 0..<repeats {
            let clock = ContinuousClock.now
            let cpuStart = cpuMilliseconds()
            let count = try cache.diff(from: from, to: to).observations.count
            timings.append(ResourceUsage.seconds(.now - clock) * 1000)
            cpu.append(cpuMilliseconds() - cpuStart)
            print(count, String(format: "%.1f ms (CPU %.1f ms)", timings[timings.count - 1], cpu[cpu.count - 1]))
        }
        timings.sort()
        cpu.sort()
        print(
            String(
                format: "min %.1f ms, median %.1f ms; CPU min %.1f ms, median %.1f ms", timings[0],
                timings[timings.count / 2], cpu[0], cpu[cpu.count / 2]))
    }
}
