import Foundation
import TestSupport
import Testing

@Suite("The CLI reading while a writer commits")
struct ConcurrentReaderTests {
    @Test("log, status, diff and verify keep answering while another process writes revisions")
    func readersDuringWrites() async throws {
        let directory = TemporaryDirectory()
        let db = directory.file("cache.db")
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: builtProduct("tradewatch-bench"))
        writer.arguments = ["churn", "--db", db, "--rows", "3000"]
        writer.standardOutput = FileHandle.nullDevice
        try writer.run()
        defer {
            kill(writer.processIdentifier, SIGKILL)
            writer.waitUntilExit()
        }
        // Wait for the first revision, then read while the writer keeps committing.
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if try await runOffPool(builtProduct("tradewatch"), ["log", "--db", db, "--limit", "1"]).stdout.contains(
                "churn")
            {
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let cli = builtProduct("tradewatch")
        var revisionsSeen = Set<String>()
        for _ in 0..<15 {
            let log = try await runOffPool(cli, ["log", "--db", db, "--limit", "1", "--format", "csv"])
            #expect(log.status == 0, "\(log.stderr)")
            if let line = log.stdout.split(separator: "\n").dropFirst().first {
                revisionsSeen.insert(String(line.split(separator: ",").first ?? ""))
            }
            let diff = try await runOffPool(cli, ["diff", "--db", db, "--format", "csv"])
            #expect(diff.status == 0, "\(diff.stderr)")
            let status = try await runOffPool(cli, ["status", "--db", db, "--json"])
            #expect(status.status == 0, "\(status.stderr)")
            try await Task.sleep(for: .milliseconds(50))
        }
        let verify = try await runOffPool(cli, ["verify", "--db", db])
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(revisionsSeen.count > 1, "the writer committed nothing while the readers ran")
    }
}
