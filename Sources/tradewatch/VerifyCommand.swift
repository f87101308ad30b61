import ArgumentParser
import TradeWatchCache

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the cache's integrity and its versioning invariants.",
        discussion: "Exits 0 when every check holds, 1 with the first violations otherwise.")

    @OptionGroup var cache: CacheOptions

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        let report = try cache.open().verify()
        if json {
            try Terminal.printJSON(report)
        } else {
            for check in report.checks {
                Terminal.print("\(check.passed ? Terminal.green("ok  ") : Terminal.red("FAIL")) \(check.name)")
                for violation in check.violations { Terminal.print("       \(violation)") }
            }
            let failed = report.checks.filter { !$0.passed }.count
            Terminal.print(
                failed == 0
                    ? "\(report.checks.count) checks passed: \(cache.resolvedPath)"
                    : "\(failed) of \(report.checks.count) checks failed: \(cache.resolvedPath)")
        }
        if !report.passed { throw CommandFailure(message: "", exitCode: 1) }
    }
}
