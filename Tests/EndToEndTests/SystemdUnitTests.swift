import Foundation
import TestSupport
import Testing

@Suite("The systemd unit")
struct SystemdUnitTests {
    static let analyze = "/usr/bin/systemd-analyze"
    static var available: Bool { FileManager.default.isExecutableFile(atPath: analyze) }

    /// The shipped unit with ExecStart pointing at the freshly built daemon, which
    /// `systemd-analyze verify` requires to exist.
    func unitForThisBuild(in directory: TemporaryDirectory) throws -> String {
        let unit = try String(contentsOfFile: repositoryRoot + "/systemd/tradewatch.service", encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/tradewatchd", with: builtProduct("tradewatchd"))
        let path = directory.file("tradewatch.service")
        try unit.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("systemd-analyze verify finds nothing to say", .enabled(if: available, "systemd-analyze is not installed"))
    func verify() throws {
        let directory = TemporaryDirectory()
        let result = try run(Self.analyze, ["verify", try unitForThisBuild(in: directory)])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }

    @Test("The sandbox scores 1.5 or lower", .enabled(if: available, "systemd-analyze is not installed"))
    func securityScore() throws {
        let directory = TemporaryDirectory()
        let result = try run(Self.analyze, ["security", "--offline=true", try unitForThisBuild(in: directory)])
        let line = try #require(result.stdout.split(separator: "\n").last { $0.contains("Overall exposure level") })
        let score = line.split(separator: " ").compactMap { Double($0) }.first ?? 99
        #expect(score <= 1.5, "\(line)")
    }
}
