import Foundation
import TestSupport
import Testing
import TradeWatchFormats
import TradeWatchModel
import TradeWatchSync

/// Every input `scripts/fuzz` ever found crashing a parser, replayed through it. Reading may
/// fail with an error; it must return.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static let folder = repositoryRoot + "/Tests/Fixtures/fuzz-regressions"

    static var cases: [String] {
        let targets = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return targets.sorted().flatMap { target -> [String] in
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder + "/" + target)) ?? []
            return files.sorted().map { target + "/" + $0 }
        }
    }

    @Test("Each saved crash input now reads or fails cleanly")
    func replay() throws {
        let sink = StatisticsOutput(add: { _ in }, delete: { _ in })
        for path in Self.cases {
            let data = try Data(contentsOf: URL(fileURLWithPath: Self.folder + "/" + path))
            let text = String(decoding: data, as: UTF8.self)
            switch path.split(separator: "/").first.map(String.init) {
            case "feeds": _ = try? FeedParser.parse(data, url: "https://fuzz.example/")
            case "sdmx-ml": _ = try? SDMXMLReader.read(dataset: "F", output: sink) { try $0(data) }
            case "sdmx-json": _ = try? SDMXJSONReader.read(data, dataset: "F", into: sink)
            case "comtrade": _ = try? ComtradeReader.read(data, dataset: "F", into: sink)
            case "csv": _ = try? CSVStatisticsReader.read(data, mapping: CSVMapping(dataset: "F"), into: sink)
            case "dates": _ = FeedDate.parse(text)
            case "toml":
                // The TOML parser may abort (toml++ asserts): the file is checked the way the
                // daemon and the CLI check it, in a child, and the check must answer valid (0)
                // or not (1) with a message, never die.
                let result = try run(builtProduct("tradewatch"), ["config", "check", Self.folder + "/" + path])
                #expect(result.status == 0 || result.status == 1, "\(path): exit \(result.status)")
                #expect(result.status == 0 || result.stderr.contains(path), "\(path): \(result.stderr)")
            default: break
            }
        }
        print("replayed \(Self.cases.count) fuzz regression input(s)")
    }
}
