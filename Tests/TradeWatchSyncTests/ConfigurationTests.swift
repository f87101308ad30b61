import Foundation
import TestSupport
import Testing
import TradeWatchFormats
import TradeWatchModel
import TradeWatchSync

@Suite("Reading and checking the configuration")
struct ConfigurationTests {
    func issues(_ text: String) -> [ConfigurationIssue] {
        do {
            _ = try ConfigurationLoader.parse(text, file: "test.toml")
            return []
        } catch {
            return error.issues
        }
    }

    @Test("The shipped configurations pass, with the first user's sources")
    func shipped() throws {
        let configuration = try ConfigurationLoader.load(file: repositoryRoot + "/config/tradewatch.toml")
        let comtrade = try #require(configuration.source(named: "comtrade-cn-kp-monthly"))
        guard case .comtrade(let query) = comtrade.kind else {
            Issue.record("comtrade-cn-kp-monthly is not a Comtrade source")
            return
        }
        #expect(query.reporters == ["156"])
        #expect(query.partners == ["408"])
        #expect(query.commodities.contains("6704") && query.commodities.contains("9701"))
        #expect(comtrade.credential == .file("comtrade-key"))
        #expect(configuration.sources.contains { $0.kindName == "sdmx" })
        #expect(configuration.source(named: "diplomat-china-power") != nil)

        let demo = try ConfigurationLoader.load(file: repositoryRoot + "/config/demo.toml")
        #expect(Set(demo.sources.map(\.kindName)) == ["feed", "comtrade", "sdmx", "csv"])
    }

    @Test("Every problem is reported with the line, the key path and what was expected")
    func locatedProblems() {
        let found = issues(
            """
            [daemon]
            interval = "3x"
            colour = "red"

            [[source]]
            name = "news"
            kind = "feed"
            url = "ftp://example.org/feed"

            [[source]]
            name = "news"
            kind = "comtrade"
            reporter = 156
            period = "2019-13"
            """)
        let described = found.map(\.description)
        #expect(
            described.contains(
                "test.toml:2: daemon.interval: expected a duration such as \"90s\", \"30m\", \"6h\" or \"1d\", found the string \"3x\""
            ))
        #expect(described.contains("test.toml:3: daemon.colour: unknown key"))
        #expect(
            described.contains(
                "test.toml:8: source[0].url: expected an http:// or https:// URL, found \"ftp://example.org/feed\""))
        #expect(
            described.contains(
                "test.toml:14: source[1].period: \"2019-13\" is not a month period; expected \"2019-06\" or \"201906\"")
        )
        #expect(
            described.contains(
                "test.toml:11: source[1].name: \"news\" is already the name of source[0]; names must be unique"))
        #expect(found.count == 5)
    }

    @Test("A TOML syntax error names its line")
    func syntax() {
        let found = issues("[daemon]\ninterval = \"1h\"\nmax_concurrent = \n")
        #expect(found.count == 1)
        #expect(found.first?.line == 3)
        #expect(found.first?.message.hasPrefix("not valid TOML") == true)
    }

    @Test(
        "A table header without a name is an error, not a crash (found by the fuzzer)",
        arguments: ["[#source]]", "[", "[[ .a]]", "[=]"])
    func namelessHeader(text: String) {
        let found = issues("[daemon]\ninterval = \"1h\"\n\n" + text + "\nname = \"x\"\n")
        #expect(found.count == 1)
        #expect(found.first?.line == 4)
        #expect(found.first?.message.hasPrefix("not valid TOML: a table header needs a name") == true)
    }

    @Test("Wrong types, missing keys, unknown kinds and conflicting credentials are refused")
    func kinds() {
        let found = issues(
            """
            [[source]]
            name = "a"
            kind = "rss"

            [[source]]
            kind = "feed"
            url = "https://example.org/feed"

            [[source]]
            name = "c"
            kind = "comtrade"
            reporter = 156
            period = "2019-01"
            key_file = "comtrade-key"
            key_env = "COMTRADE_KEY"
            interval = 30

            [[source]]
            name = "d"
            kind = "sdmx"
            """
        ).map(\.description)
        #expect(
            found.contains(
                "test.toml:3: source[0].kind: expected one of \"feed\", \"comtrade\", \"sdmx\", \"csv\", found \"rss\"")
        )
        #expect(found.contains("test.toml:5: source[1].name: is required"))
        #expect(found.contains("test.toml:14: source[2].key_file: give either key_file or key_env, not both"))
        #expect(
            found.contains(
                "test.toml:16: source[2].interval: expected a duration such as \"90s\", \"30m\", \"6h\" or \"1d\", found the integer 30"
            ))
        #expect(found.contains("test.toml:18: source[3].url: give either url (a whole query) or base_url and flow"))
    }

    @Test("Values are read as written: durations, sizes, codes, ranges of periods, CSV mappings")
    func values() throws {
        let configuration = try ConfigurationLoader.parse(
            """
            [daemon]
            interval = "2h"
            max_bytes = "64MiB"
            retry_cap = "1h30m"

            [[source]]
            name = "trade"
            kind = "comtrade"
            reporter = [156, "410"]
            period = "2018-11..2019-02"
            periods_per_call = 2
            key_env = "COMTRADE_KEY"
            max_bytes = 1000

            [[source]]
            name = "office"
            kind = "csv"
            url = "https://stats.example/trade.csv"
            dataset = "T"
            delimiter = ";"
            decimal = ","
            thousands = "."
            dimensions = ["Country", { column = "HS code", id = "CMD" }]
            """, file: "x.toml")
        #expect(configuration.daemon.interval == .seconds(7200))
        #expect(configuration.daemon.maxBytes == 64 << 20)
        #expect(configuration.daemon.retryCap == .seconds(5400))
        let trade = try #require(configuration.source(named: "trade"))
        guard case .comtrade(let query) = trade.kind, case .csv(let csv) = configuration.sources[1].kind else {
            Issue.record("kinds not read")
            return
        }
        #expect(query.reporters == ["156", "410"])
        #expect(query.periods == ["201811", "201812", "201901", "201902"])
        #expect(trade.maxBytes == 1000)
        #expect(trade.credential == .environment("COMTRADE_KEY"))
        #expect(csv.delimiter == UInt8(ascii: ";"))
        #expect(csv.decimalSeparator == UInt8(ascii: ","))
        #expect(csv.thousandsSeparator == UInt8(ascii: "."))
        #expect(csv.dimensions.map(\.id) == ["Country", "CMD"])
    }

    @Test("Comtrade periods: months, years and ranges; anything else is refused")
    func comtradePeriods() {
        #expect(ComtradePeriods.expand("2019-06", frequency: "M") == .success(["201906"]))
        #expect(ComtradePeriods.expand("201906", frequency: "M") == .success(["201906"]))
        #expect(ComtradePeriods.expand("2015..2017", frequency: "A") == .success(["2015", "2016", "2017"]))
        #expect(ComtradePeriods.expand("2019-11..2020-01", frequency: "M") == .success(["201911", "201912", "202001"]))
        for bad in ["2019", "2019-6", "19-06", "2019-12..2019-01", "June 2019"] {
            if case .success = ComtradePeriods.expand(bad, frequency: "M") { Issue.record("\(bad) accepted") }
        }
        if case .success = ComtradePeriods.expand("201906", frequency: "A") {
            Issue.record("a month accepted as a year")
        }
    }

    @Test("Strings are bounded and free of control characters, reported at FILE:LINE: KEY")
    func boundedStrings() {
        let long = String(repeating: "x", count: ConfigurationLoader.maxStringBytes + 1)
        let found = issues(
            """
            [daemon]
            contact = "\(long)"

            [[source]]
            name = "a\\tb"
            kind = "feed"
            url = "https://example.org/\\r\\nHost: evil"
            """
        ).map(\.description)
        #expect(
            found.contains("test.toml:2: daemon.contact: is 8193 bytes long; at most 8192 are accepted"), "\(found)")
        #expect(found.contains { $0.hasPrefix("test.toml:5: source[0].name: contains the control character U+0009") })
        #expect(found.contains { $0.hasPrefix("test.toml:7: source[0].url: contains the control character U+000D") })
        // A tab is what a tab-separated file's delimiter is.
        #expect(
            issues(
                """
                [[source]]
                name = "tsv"
                kind = "csv"
                url = "https://example.org/a.tsv"
                dataset = "D"
                dimensions = ["A"]
                delimiter = "\t"
                """
            ).isEmpty)
    }

    @Test("A configuration over 1 MiB is refused before anything parses it")
    func boundedFile() throws {
        let directory = TemporaryDirectory()
        let file = directory.file("big.toml")
        try Data(repeating: UInt8(ascii: "#"), count: ConfigurationChecker.maxFileBytes + 1).write(
            to: URL(fileURLWithPath: file))
        #expect(throws: ConfigurationError.self) { try ConfigurationChecker.read(file: file) }
    }
}

extension ConfigurationTests {
    static let csvSource = """
        [[source]]
        name = "office"
        kind = "csv"
        url = "https://stats.example/trade.csv"
        dataset = "T"
        dimensions = [{ column = "Flow", id = "FLOW" }, { column = "HS", id = "CMD" }]
        period = "Month"
        value = "Value"
        flags = "Flag"

        """

    @Test("CSV label columns are read by dimension id, sorted")
    func csvLabels() throws {
        let configuration = try ConfigurationLoader.parse(
            Self.csvSource + #"labels = { FLOW = "Flow name", CMD = "HS description" }"#, file: "x.toml")
        guard case .csv(let csv) = try #require(configuration.sources.first).kind else {
            Issue.record("not a CSV source")
            return
        }
        #expect(csv.labels == [.init(column: "HS description", id: "CMD"), .init(column: "Flow name", id: "FLOW")])
    }

    @Test("A label of an unknown dimension, or in a column that holds something else, is refused at its line")
    func csvLabelProblems() {
        let found = issues(
            Self.csvSource
                + #"labels = { PARTNER = "Partner name", CMD = "HS", FLOW = "Month", TOTAL = 3 }"# + "\n"
        ).map(\.description)
        #expect(
            found.contains(
                "test.toml:10: source[0].labels.PARTNER: \"PARTNER\" is not a dimension of this source; its dimensions are FLOW, CMD"
            ), "\(found)")
        #expect(
            found.contains(
                "test.toml:10: source[0].labels.CMD: the column \"HS\" is already the column of dimension CMD; a label column holds only names"
            ), "\(found)")
        #expect(
            found.contains(
                "test.toml:10: source[0].labels.FLOW: the column \"Month\" is already the period column; a label column holds only names"
            ), "\(found)")
        #expect(found.contains("test.toml:10: source[0].labels.TOTAL: expected a column name, found the integer 3"))
        #expect(found.count == 4, "\(found)")
        for (value, role) in [("Value", "the value column"), ("Flag", "the flags column")] {
            #expect(
                issues(Self.csvSource + #"labels = { CMD = "\#(value)" }"#).map(\.description) == [
                    "test.toml:10: source[0].labels.CMD: the column \"\(value)\" is already \(role); a label column holds only names"
                ])
        }
        #expect(
            issues(Self.csvSource + #"labels = ["HS description"]"#).map(\.description) == [
                "test.toml:10: source[0].labels: expected a table of dimension ids and column names, such as { CMD = \"HS description\" }, found an array"
            ])
        // A key only CSV sources know.
        #expect(
            issues(
                """
                [[source]]
                name = "trade"
                kind = "comtrade"
                reporter = 156
                period = "2019-06"
                labels = { CMD = "x" }
                """
            ).map(\.description) == ["test.toml:6: source[0].labels: unknown key"])
    }

    @Test("A mapping file's labels go from the loader through the reader: names for the codes, not attributes")
    func csvLabelsEndToEnd() throws {
        let directory = TemporaryDirectory()
        let mappingFile = directory.file("customs.toml")
        try """
        dataset = "CUSTOMS"
        delimiter = ";"
        decimal = ","
        dimensions = [{ column = "Flow", id = "FLOW" }, { column = "HS", id = "CMD" }]
        period = "Month"
        value = "Value"
        labels = { CMD = "HS description" }
        """.write(toFile: mappingFile, atomically: true, encoding: .utf8)
        guard case .csv(let csv) = try ConfigurationLoader.csvSource(mappingFile: mappingFile).kind else {
            Issue.record("not a CSV source")
            return
        }
        // The mapping the sync engine builds from a CSV source.
        var mapping = CSVMapping(dataset: csv.dataset)
        mapping.delimiter = csv.delimiter
        mapping.decimalSeparator = csv.decimalSeparator
        mapping.dimensions = csv.dimensions.map { ($0.column, $0.id) }
        mapping.period = csv.period
        mapping.value = csv.value
        mapping.attributes = csv.attributes.map { ($0.column, $0.id) }
        mapping.labels = csv.labels.map { ($0.id, $0.column) }
        let data = Data(
            """
            Flow;HS;HS description;Month;Value
            Import;6704;"Wigs, false beards, eyebrows and eyelashes; switches";2019-06;2411000,50
            Import;9701;Paintings, drawings and pastels;2019-06;80125,75
            Import;9701;Paintings, drawings and pastels;2019-07;91000

            """.utf8)
        var labels: [(String, CodeLabel)] = []
        var observations: [Observation] = []
        _ = try CSVStatisticsReader.read(
            data, mapping: mapping,
            into: StatisticsOutput(
                add: { observations.append($0) }, delete: { _ in }, label: { labels.append(($0, $1)) }))
        #expect(observations.count == 3)
        #expect(observations.allSatisfy { $0.attributes.isEmpty })
        #expect(
            labels.map { "\($0.0) \($0.1.component)=\($0.1.code): \($0.1.name)" } == [
                "CUSTOMS CMD=6704: Wigs, false beards, eyebrows and eyelashes; switches",
                "CUSTOMS CMD=9701: Paintings, drawings and pastels",
            ])

        // The mapping file's own line and key when a label is wrong.
        try """
        dimensions = ["HS"]
        labels = { FLOW = "Flow name" }
        """.write(toFile: mappingFile, atomically: true, encoding: .utf8)
        #expect {
            try ConfigurationLoader.csvSource(mappingFile: mappingFile)
        } throws: { error in
            (error as? ConfigurationError)?.issues.map(\.description) == [
                "\(mappingFile):2: labels.FLOW: \"FLOW\" is not a dimension of this source; its dimensions are HS"
            ]
        }
    }
}
