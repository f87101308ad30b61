import Foundation
import TestSupport
import Testing

@Suite("Killing tradewatchd mid-sync")
struct DaemonCrashTests {
    @Test(
        "50 SIGKILLs during syncs of evolving sources: verify passes after each, the next sync completes, nothing is lost"
    )
    func fiftyKills() async throws {
        let binaries = (builtProduct("tradewatchd") as NSString).deletingLastPathComponent
        let result = try await runOffPool(
            "/usr/bin/env",
            [
                "python3", repositoryRoot + "/scripts/crashtest", "50", "--bin", binaries, "--headings", "40",
                "--max-delay", "0.8", "--seed", "408",
            ])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(
            result.stdout.contains("crashtest: 50 kills, 50 verifications passed, 0 revisions lost"), "\(result.stdout)"
        )
    }
}
