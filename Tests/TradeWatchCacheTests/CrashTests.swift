import Foundation
import Testing
import TestSupport
import TradeWatchCache

@Suite("kill -9 at any moment")
struct CrashTests {
    @Test("A writer killed mid-revision loses at most the revision in flight, and verify passes after every kill")
    func killedWriter() async throws {
        let churn = builtProduct("tradewatch-bench")
        try #require(
            FileManager.default.isExecutableFile(atPath: churn),
            "tradewatch-bench is not built next to the tests: run `swift build --build-tests` first")
        let directory = TemporaryDirectory()
        let path = directory.file("cache.db")
        var generator = SplitMix64(seed: 20_191_231)
        var kills = 0
        var checkedRevisions = 0
        for _ in 0..<20 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: churn)
            process.arguments = ["churn", "--db", path, "--rows", "6000"]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            try await Task.sleep(for: .milliseconds(80 + Int(generator.next() % 500)))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            kills += 1
            let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let lastCommitted =
                printed.split(separator: "\n").last { $0.hasPrefix("committed ") }
                .flatMap { Int64($0.dropFirst("committed ".count)) } ?? Int64(checkedRevisions)

            // Opening read-write recovers the WAL as the daemon would on restart.
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let cache = try SQLiteCache(path: path)
            let report = try cache.verify()
            #expect(report.passed, "after kill \(kills): \(report.checks.filter { !$0.passed })")
            let latest = try cache.resolve(.latest)
            // Every revision the writer saw committed survived; at most the one in flight
            // (committed but not yet printed) is there beyond it.
            #expect(latest >= lastCommitted && latest <= lastCommitted + 1, "printed \(lastCommitted), found \(latest)")
            checkedRevisions = Int(latest)
        }
        #expect(kills == 20)
        #expect(checkedRevisions > 0, "no revision was ever committed: the kills came too early")
    }
}

/// A small deterministic generator, so a failing run can be repeated.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
