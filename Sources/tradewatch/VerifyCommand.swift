import ArgumentParser
import TradeWatchCache
import TradeWatchModel

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
                // A violation may quote a stored key or value.
                for violation in check.violations { Terminal.print("       \(TerminalText.line(violation))") }
            }
            let failed = report.checks.filter { !$0.passed }.count
            Terminal.print(
                failed == 0
                    ? "\(report.checks.count) checks passed: \(TerminalText.line(cache.resolvedPath))"
                    : "\(failed) of \(report.checks.count) checks failed: \(TerminalText.line(cache.resolvedPath))")
        }
        if !report.passed { throw CommandFailure(message: "", exitCode: 1) }
    }
}
