import Foundation
import TradeWatchFormats
import TradeWatchModel
import TradeWatchSync

/// libFuzzer's driver (linked by `-sanitize=fuzzer`).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// One binary serves every parser; `FUZZ_TARGET` picks which (`feeds`, `sdmx-ml`, `sdmx-json`,
/// `comtrade`, `csv`, `dates`, `toml`). Built only by `scripts/fuzz`, with AddressSanitizer and
/// libFuzzer's coverage instrumentation. Any input may fail to parse; none may crash.
/// The program's entry: SwiftPM points `main` at `<module>_main`, and with `-sanitize=fuzzer`
/// the compiler generates none, so this hands control to libFuzzer's driver.
@_cdecl("tradewatch_fuzz_main")
public func fuzzMain(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
) -> CInt {
    _ = FuzzTarget.current
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, fuzz)
}

/// libFuzzer's callback; also exported under the name its own `main` looks for.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let bytes else { return 0 }
    let data = Data(bytes: bytes, count: count)
    let sink = StatisticsOutput(add: { _ in }, delete: { _ in })
    switch FuzzTarget.current {
    case .feeds:
        _ = try? FeedParser.parse(data, contentType: nil, url: "https://fuzz.example/feed")
    case .sdmxML:
        _ = try? SDMXMLReader.read(dataset: "F", output: sink) { feed in
            // Two pieces, so the push parser also sees a message split mid-token.
            let half = data.count / 2
            try feed(data.prefix(half))
            try feed(data.dropFirst(half))
        }
    case .sdmxJSON:
        _ = try? SDMXJSONReader.read(data, dataset: "F", into: sink)
    case .comtrade:
        _ = try? ComtradeReader.read(data, dataset: "F", recordCap: 500, into: sink)
    case .csv:
        var mapping = CSVMapping(dataset: "F")
        mapping.delimiter = UInt8(ascii: ";")
        mapping.dimensions = [("A", "A"), ("B", "B")]
        mapping.decimalSeparator = UInt8(ascii: ",")
        mapping.thousandsSeparator = UInt8(ascii: ".")
        _ = try? CSVStatisticsReader.read(data, mapping: mapping, into: sink)
    case .dates:
        _ = FeedDate.parse(String(decoding: data, as: UTF8.self))
        _ = Period(String(decoding: data, as: UTF8.self)).start
    case .toml:
        _ = try? ConfigurationLoader.parse(String(decoding: data, as: UTF8.self), file: "fuzz.toml")
    }
    return 0
}

enum FuzzTarget: String {
    case feeds
    case sdmxML = "sdmx-ml"
    case sdmxJSON = "sdmx-json"
    case comtrade
    case csv
    case dates
    case toml

    static let current: FuzzTarget = {
        guard let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"], let target = FuzzTarget(rawValue: name)
        else {
            FileHandle.standardError.write(
                Data("set FUZZ_TARGET to feeds, sdmx-ml, sdmx-json, comtrade, csv, dates or toml\n".utf8))
            exit(2)
        }
        return target
    }()
}
