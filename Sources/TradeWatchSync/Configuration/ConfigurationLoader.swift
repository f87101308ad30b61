import Foundation
import TOMLKit

/// Reads and checks a TOML configuration. Every key is documented in `config/tradewatch.toml`.
///
/// All problems are collected, not just the first: `tradewatch config check` lists them all,
/// each with the file, the line, the key path and what was expected. Unknown keys are errors.
public enum ConfigurationLoader {
    /// Reads and parses `file` in this process. The TOML parser may abort the process on
    /// some malformed input: the daemon and the CLI go through `ConfigurationChecker`, which
    /// runs this in a child; this is for that child and for tests.
    public static func load(file: String) throws(ConfigurationError) -> Configuration {
        let data = try ConfigurationChecker.read(file: file)
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(issues: [
                ConfigurationIssue(file: file, line: nil, keyPath: "", message: "is not valid UTF-8")
            ])
        }
        return try parse(text, file: file)
    }

    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> Configuration {
        if let (line, column) = TOMLHeaderCheck.firstBadHeader(in: text) {
            throw ConfigurationError(issues: [
                ConfigurationIssue(
                    file: file, line: line, keyPath: "",
                    message:
                        "not valid TOML: a table header needs a name (a bare key or a quoted one) after '[' (column \(column))"
                )
            ])
        }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(issues: [
                ConfigurationIssue(
                    file: file, line: error.source.begin.line, keyPath: "",
                    message: "not valid TOML: \(error.description) (column \(error.source.begin.column))")
            ])
        } catch {
            throw ConfigurationError(issues: [
                ConfigurationIssue(file: file, line: nil, keyPath: "", message: "not valid TOML: \(error)")
            ])
        }
        let context = Context(file: file, locator: KeyLocator(text: text))
        var configuration = Configuration(file: file)
        let top = TableReader(root, path: "", context: context)
        if let daemon = top.table("daemon") {
            configuration.daemon = readDaemon(daemon)
        }
        var seen: [String: Int] = [:]
        for (index, table) in top.tables("source").enumerated() {
            let source = readSource(table, index: index, daemon: configuration.daemon)
            if let name = table.table["name"]?.string {
                if let first = seen[name] {
                    context.report(
                        "source[\(index)].name",
                        "\"\(name)\" is already the name of source[\(first)]; names must be unique")
                } else {
                    seen[name] = index
                }
            }
            if let source { configuration.sources.append(source) }
        }
        top.finish()
        if !context.issues.isEmpty { throw ConfigurationError(issues: context.issues) }
        return configuration
    }

    private static func readDaemon(_ table: TableReader) -> DaemonSettings {
        var daemon = DaemonSettings()
        daemon.cache = table.string("cache")
        if let value = table.duration("interval", atLeast: .seconds(10)) { daemon.interval = value }
        if let value = table.duration("jitter") { daemon.jitter = value }
        if let value = table.int("max_concurrent", in: 1...1024) { daemon.maxConcurrent = value }
        if let value = table.int("max_per_host", in: 1...256) { daemon.maxPerHost = value }
        daemon.contact = table.string("contact")
        if let value = table.duration("timeout", atLeast: .seconds(1)) { daemon.timeout = value }
        if let value = table.duration("connect_timeout", atLeast: .seconds(1)) { daemon.connectTimeout = value }
        if let value = table.size("max_bytes") { daemon.maxBytes = value }
        daemon.controlSocket = table.string("control_socket")
        if let value = table.duration("retry_base", atLeast: .seconds(1)) { daemon.retryBase = value }
        if let value = table.duration("retry_cap", atLeast: .seconds(1)) { daemon.retryCap = value }
        if let value = table.duration("startup_spread") { daemon.startupSpread = value }
        if let value = table.int("keep_payloads", in: 1...1000) { daemon.keepPayloads = value }
        table.finish()
        return daemon
    }

    private static func readSource(_ table: TableReader, index: Int, daemon: DaemonSettings) -> SourceConfiguration? {
        let name = table.string("name", required: true)
        if let name, name.isEmpty || !name.utf8.allSatisfy(Self.isNameByte) {
            table.report(
                "name",
                "\"\(name)\" is not a usable name: use letters, digits, '.', '_' and '-' (it is typed on the command line)"
            )
        }
        let kindName = table.string("kind", required: true)
        let kind: SourceKind?
        switch kindName {
        case "feed": kind = .feed(FeedSource(url: table.url("url", required: true) ?? ""))
        case "comtrade": kind = .comtrade(readComtrade(table))
        case "sdmx": kind = readSDMX(table).map(SourceKind.sdmx)
        case "csv": kind = readCSV(table).map(SourceKind.csv)
        case nil: kind = nil
        case let other?:
            table.report("kind", "expected one of \"feed\", \"comtrade\", \"sdmx\", \"csv\", found \"\(other)\"")
            kind = nil
        }
        var source = SourceConfiguration(name: name ?? "", kind: kind ?? .feed(FeedSource(url: "")))
        source.interval = table.duration("interval", atLeast: .seconds(10))
        source.jitter = table.duration("jitter")
        source.timeout = table.duration("timeout", atLeast: .seconds(1))
        source.maxBytes = table.size("max_bytes")
        source.keepRaw = table.bool("keep_raw")
        let keyFile = table.string("key_file")
        let keyEnv = table.string("key_env")
        switch (keyFile, keyEnv) {
        case (let file?, nil): source.credential = .file(file)
        case (nil, let variable?): source.credential = .environment(variable)
        case (_?, _?): table.report("key_file", "give either key_file or key_env, not both")
        case (nil, nil): break
        }
        source.line = table.line
        table.finish()
        guard name != nil, kind != nil else { return nil }
        return source
    }

    private static func readComtrade(_ table: TableReader) -> ComtradeSource {
        var source = ComtradeSource()
        if let value = table.url("base_url") { source.baseURL = value }
        if let value = table.choice("type", ["C", "S"]) { source.typeCode = value }
        if let value = table.choice("frequency", ["A", "M"]) { source.frequency = value }
        if let value = table.string("classification") { source.classification = value }
        source.reporters = table.codes("reporter", required: true)
        source.partners = table.codes("partner")
        source.partners2 = table.codes("partner2")
        source.commodities = table.codes("commodity")
        source.flows = table.codes("flow")
        source.customsCodes = table.codes("customs")
        source.transportModes = table.codes("transport")
        if let value = table.bool("preview") { source.preview = value }
        if let value = table.int("periods_per_call", in: 1...12) { source.periodsPerCall = value }
        if let value = table.bool("reference_data") { source.referenceData = value }
        source.referenceURL = table.url("reference_url")
        let periods = table.codes("period", required: true)
        var expanded: [String] = []
        for period in periods {
            switch ComtradePeriods.expand(period, frequency: source.frequency) {
            case .success(let list): expanded += list
            case .failure(let message): table.report("period", message)
            }
        }
        source.periods = expanded
        return source
    }

    private static func readSDMX(_ table: TableReader) -> SDMXSource? {
        var source = SDMXSource()
        source.url = table.url("url")
        source.baseURL = table.url("base_url")
        source.flow = table.string("flow")
        if let value = table.string("key") { source.key = value }
        if let value = table.choice("api", ["2.1", "3.0"]) { source.api = SDMXSource.API(rawValue: value) ?? .v2_1 }
        if let value = table.choice("format", ["sdmx-ml", "sdmx-json"]) {
            source.format = SDMXSource.Format(rawValue: value) ?? .ml
        }
        source.startPeriod = table.string("start_period")
        source.endPeriod = table.string("end_period")
        if let value = table.bool("incremental") { source.incremental = value }
        if let value = table.bool("structure") { source.structure = value }
        source.structureURL = table.url("structure_url")
        if source.structureURL != nil && !source.structure {
            table.report("structure_url", "is unused with structure = false")
        }
        if source.url == nil && (source.baseURL == nil || source.flow == nil) {
            table.report("url", "give either url (a whole query) or base_url and flow")
            return nil
        }
        return source
    }

    private static func readCSV(_ table: TableReader) -> CSVSource? {
        guard let url = table.url("url", required: true), let dataset = table.string("dataset", required: true) else {
            return nil
        }
        var source = CSVSource(url: url, dataset: dataset)
        if let value = table.singleByte("delimiter") { source.delimiter = value }
        if let value = table.bool("header") { source.header = value }
        if let value = table.int("skip_lines", in: 0...1000) { source.skipLines = value }
        source.dimensions = table.columns("dimensions", required: true)
        if let value = table.string("period") { source.period = value }
        if let value = table.string("value") { source.value = value }
        source.flags = table.string("flags")
        source.unit = table.string("unit")
        source.attributes = table.columns("attributes")
        source.labels = readLabels(table, source: source)
        if let value = table.choice("decimal", [".", ","]) {
            source.decimalSeparator = UInt8(ascii: value == "," ? "," : ".")
        }
        if let value = table.choice("thousands", ["", ",", ".", " ", "'"]) {
            source.thousandsSeparator = value.utf8.first
        }
        if let value = table.string("encoding") { source.encoding = value }
        if source.thousandsSeparator == source.decimalSeparator {
            table.report("thousands", "cannot be the same character as the decimal separator")
        }
        return source
    }

    /// The longest string value accepted, in bytes: a few KB is more than any URL, name or
    /// contact needs, and a megabyte `contact` would make every request fail.
    public static let maxStringBytes = 8192

    /// C0 and C1 control characters and DEL.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default: false
        }
    }
}

/// Issues found so far and where keys sit in the text.
private final class Context {
    let file: String
    let locator: KeyLocator
    var issues: [ConfigurationIssue] = []

    init(file: String, locator: KeyLocator) {
        self.file = file
        self.locator = locator
    }

    func report(_ path: String, _ message: String) {
        issues.append(ConfigurationIssue(file: file, line: locator.line(of: path), keyPath: path, message: message))
    }
}

/// One TOML table being read: typed getters that report what they expected, and a record of
/// the keys used so that `finish()` can name every unknown one.
/// Internal so that `ConfigurationLoader+Mapping.swift` reads with it too.
final class TableReader {
    let table: TOMLTable
    let path: String
    fileprivate let context: Context
    private var used: Set<String> = []

    fileprivate init(_ table: TOMLTable, path: String, context: Context) {
        self.table = table
        self.path = path
        self.context = context
    }

    var line: Int? { context.locator.line(of: path) }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    func report(_ key: String, _ message: String) { context.report(keyPath(key), message) }

    func value(_ key: String, required: Bool) -> (any TOMLValueConvertible)? {
        used.insert(key)
        guard let value = table[key] else {
            if required { report(key, "is required") }
            return nil
        }
        return value
    }

    func mismatch(_ key: String, expected: String, found value: any TOMLValueConvertible) {
        report(key, "expected \(expected), found \(Self.describe(value))")
    }

    static func describe(_ value: any TOMLValueConvertible) -> String {
        switch value.type {
        case .string: "the string \"\(value.string ?? "")\""
        case .int: "the integer \(value.int ?? 0)"
        case .double: "the number \(value.double ?? 0)"
        case .bool: "\(value.bool ?? false)"
        case .table: "a table"
        case .array: "an array"
        default: "a date or time"
        }
    }

    func table(_ key: String) -> TableReader? {
        guard let value = value(key, required: false) else { return nil }
        guard let table = value.table else {
            mismatch(key, expected: "a table ([\(key)])", found: value)
            return nil
        }
        return TableReader(table, path: keyPath(key), context: context)
    }

    /// An array of tables (`[[source]]`).
    func tables(_ key: String) -> [TableReader] {
        guard let value = value(key, required: false) else { return [] }
        guard let array = value.array else {
            mismatch(key, expected: "an array of tables ([[\(key)]])", found: value)
            return []
        }
        var out: [TableReader] = []
        for (index, element) in array.enumerated() {
            guard let table = element.table else {
                context.report("\(keyPath(key))[\(index)]", "expected a table, found \(Self.describe(element))")
                continue
            }
            out.append(TableReader(table, path: "\(keyPath(key))[\(index)]", context: context))
        }
        return out
    }

    /// A string of at most `ConfigurationLoader.maxStringBytes` and, unless `controls`, no
    /// control character: every string ends up in a URL, a header, a path or a message.
    func string(_ key: String, required: Bool = false, controls: Bool = false) -> String? {
        guard let value = value(key, required: required) else { return nil }
        guard let string = value.string else {
            mismatch(key, expected: "a string", found: value)
            return nil
        }
        guard acceptable(string, key: key, controls: controls) else { return nil }
        return string
    }

    /// Reports a string too long or holding a control character.
    func acceptable(_ string: String, key: String, controls: Bool = false) -> Bool {
        let length = string.utf8.count
        if length > ConfigurationLoader.maxStringBytes {
            report(key, "is \(length) bytes long; at most \(ConfigurationLoader.maxStringBytes) are accepted")
            return false
        }
        if !controls, let control = string.unicodeScalars.first(where: ConfigurationLoader.isControl) {
            let code = String(control.value, radix: 16, uppercase: true)
            report(
                key,
                "contains the control character U+\(String(repeating: "0", count: max(0, 4 - code.count)))\(code); control characters (line breaks, tabs, escapes) are not accepted here"
            )
            return false
        }
        return true
    }

    func bool(_ key: String) -> Bool? {
        guard let value = value(key, required: false) else { return nil }
        guard let bool = value.bool else {
            mismatch(key, expected: "true or false", found: value)
            return nil
        }
        return bool
    }

    func int(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = value(key, required: false) else { return nil }
        guard let int = value.int else {
            mismatch(key, expected: "an integer", found: value)
            return nil
        }
        guard range.contains(int) else {
            report(key, "expected an integer from \(range.lowerBound) to \(range.upperBound), found \(int)")
            return nil
        }
        return int
    }

    func duration(_ key: String, atLeast minimum: Duration = .zero) -> Duration? {
        guard let value = value(key, required: false) else { return nil }
        guard let text = value.string, let duration = DurationText.parse(text) else {
            mismatch(key, expected: "a duration such as \"90s\", \"30m\", \"6h\" or \"1d\"", found: value)
            return nil
        }
        guard duration >= minimum else {
            report(key, "must be at least \(DurationText.format(minimum)), found \"\(text)\"")
            return nil
        }
        return duration
    }

    func size(_ key: String) -> Int64? {
        guard let value = value(key, required: false) else { return nil }
        if let int = value.int, int > 0 { return Int64(int) }
        guard let text = value.string, let size = ByteSizeText.parse(text), size > 0 else {
            mismatch(key, expected: "a size such as \"64MiB\", \"500KB\" or a number of bytes", found: value)
            return nil
        }
        return size
    }

    func choice(_ key: String, _ choices: [String]) -> String? {
        guard let string = string(key) else { return nil }
        guard choices.contains(string) else {
            report(key, "expected one of \(choices.map { "\"\($0)\"" }.joined(separator: ", ")), found \"\(string)\"")
            return nil
        }
        return string
    }

    func singleByte(_ key: String) -> UInt8? {
        guard let string = string(key, controls: true) else { return nil }
        if string == "\\t" { return UInt8(ascii: "\t") }
        guard string.utf8.count == 1, let byte = string.utf8.first else {
            report(key, "expected one ASCII character such as \",\", \";\" or \"\\t\", found \"\(string)\"")
            return nil
        }
        return byte
    }

    /// An http(s) URL.
    func url(_ key: String, required: Bool = false) -> String? {
        guard let string = string(key, required: required) else { return nil }
        let lower = string.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), string.count > 8,
            URL(string: string) != nil
        else {
            report(key, "expected an http:// or https:// URL, found \"\(string)\"")
            return nil
        }
        return string
    }

    /// Codes written as one string, one integer, or an array of either (`reporter = 156`,
    /// `commodity = ["TOTAL", "6704"]`).
    func codes(_ key: String, required: Bool = false) -> [String] {
        guard let value = value(key, required: required) else { return [] }
        if let string = value.string { return acceptable(string, key: key) ? [string] : [] }
        if let int = value.int { return [String(int)] }
        guard let array = value.array else {
            mismatch(key, expected: "a code or an array of codes", found: value)
            return []
        }
        var out: [String] = []
        for element in array {
            if let string = element.string {
                guard acceptable(string, key: key) else { return [] }
                out.append(string)
            } else if let int = element.int {
                out.append(String(int))
            } else {
                mismatch(key, expected: "an array of codes (strings or integers)", found: element)
                return []
            }
        }
        if out.isEmpty && required { report(key, "must name at least one code") }
        return out
    }

    /// Columns as names (`["Reporter", "Partner"]`) or tables that rename them
    /// (`[{ column = "Reporter", id = "REPORTER" }]`).
    func columns(_ key: String, required: Bool = false) -> [CSVSource.Column] {
        guard let value = value(key, required: required) else { return [] }
        guard let array = value.array else {
            mismatch(key, expected: "an array of column names", found: value)
            return []
        }
        var out: [CSVSource.Column] = []
        for element in array {
            if let name = element.string {
                guard acceptable(name, key: key) else { return [] }
                out.append(CSVSource.Column(column: name, id: name))
            } else if let table = element.table, let column = table["column"]?.string {
                let id = table["id"]?.string ?? column
                guard acceptable(column, key: key), acceptable(id, key: key) else { return [] }
                out.append(CSVSource.Column(column: column, id: id))
            } else {
                mismatch(key, expected: "column names or { column = \"…\", id = \"…\" } tables", found: element)
                return []
            }
        }
        if out.isEmpty && required { report(key, "must name at least one column") }
        return out
    }

    /// Reports every key of the table that no getter asked for.
    func finish() {
        for key in table.keys.sorted() where !used.contains(key) {
            report(key, "unknown key")
        }
    }
}
