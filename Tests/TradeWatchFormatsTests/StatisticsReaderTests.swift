import Foundation
import TestSupport
import Testing
import TradeWatchFormats
import TradeWatchModel

/// Collects what a statistics reader hands over.
final class Collected {
    var observations: [Observation] = []
    var deletions: [ObservationKey] = []
    var labels: [(dataset: String, label: CodeLabel)] = []

    var output: StatisticsOutput {
        StatisticsOutput(
            add: { self.observations.append($0) }, delete: { self.deletions.append($0) },
            label: { self.labels.append(($0, $1)) })
    }

    func value(_ series: String, _ period: String) -> String?? {
        observations.first { $0.series.canonical == series && $0.period.text == period }.map(\.value)
    }
}

func fixture(_ name: String) throws -> Data {
    try Data(contentsOf: URL(fileURLWithPath: repositoryRoot + "/Tests/Fixtures/statistics/" + name))
}

@Suite("UN Comtrade answers")
struct ComtradeReaderTests {
    @Test("Each published measure becomes an observation of the flow's series; nulls are not published")
    func measures() throws {
        let collected = Collected()
        let summary = try ComtradeReader.read(
            try fixture("comtrade-monthly.json"), dataset: "comtrade/C/M/HS", into: collected.output)
        // Export: primaryValue, fobvalue, netWgt, qty. Import: primaryValue, cifvalue.
        #expect(summary.observations == 6)
        let key = "TYPE=C.FREQ=M.CL=H5.REPORTER=156.PARTNER=408.PARTNER2=0.FLOW=X.CMD=6704.CUSTOMS=C00.MOT=0"
        #expect(collected.value(key + ".MEASURE=primaryValue", "2019-06") == "2411000")
        #expect(collected.value(key + ".MEASURE=netWgt", "2019-06") == "1250.5")
        let quantity = try #require(collected.observations.first { $0.series.canonical == key + ".MEASURE=qty" })
        #expect(quantity.status == "E")
        #expect(quantity.unit == "kg")
        #expect(quantity.period.start == CalendarDate("2019-06-01"))
        let imported = try #require(
            collected.observations.first {
                $0.series.canonical.contains("FLOW=M") && $0.series.canonical.hasSuffix("cifvalue")
            })
        #expect(imported.value == "80125.75")
        #expect(imported.status == "E")  // isReported false: an estimate
        #expect(imported.attributes["legacyEstimationFlag"] == "4")
        #expect(
            !collected.observations.contains {
                $0.series.canonical.contains("FLOW=M") && $0.series.canonical.hasSuffix("qty")
            })
    }

    @Test("An error envelope, a period in the wrong format and a capped answer are never silent")
    func problems() throws {
        let collected = Collected()
        #expect {
            try ComtradeReader.read(try fixture("comtrade-error.json"), dataset: "d", into: collected.output)
        } throws: { error in
            (error as? StatisticsError)?.code == .publisherError
                && "\(error)".contains("exceeded the rate limit")
        }
        #expect {
            try ComtradeReader.read(try fixture("comtrade-bad-period.json"), dataset: "d", into: collected.output)
        } throws: { error in
            "\(error)" == "record 1: period \"2019-6\" does not fit frequency \"M\" (expected YYYYMM)"
        }
        let empty = try ComtradeReader.read(try fixture("comtrade-empty.json"), dataset: "d", into: collected.output)
        #expect(empty.observations == 0 && empty.warnings.isEmpty)
        let capped = try ComtradeReader.read(
            try fixture("comtrade-monthly.json"), dataset: "d", recordCap: 2, into: collected.output)
        #expect(capped.warnings.first?.contains("probably cut") == true)
    }

    @Test("The recorded comtradr answer reads, every record accounted for")
    func corpus() throws {
        let relative = "comtrade/testthat/data/comtradeapi.un.org/data/v1/get/C/A/HS-60a6ad.json"
        guard let path = Corpora.file(relative) else {
            Corpora.skip(relative)
            return
        }
        let collected = Collected()
        let summary = try ComtradeReader.read(
            try Data(contentsOf: URL(fileURLWithPath: path)), dataset: "comtrade", into: collected.output)
        #expect(summary.observations >= 4)
        let argentina = collected.observations.first {
            $0.series.canonical.contains("PARTNER=32.") && $0.series.canonical.hasSuffix("MEASURE=primaryValue")
        }
        #expect(argentina?.value == "6804128143")
        #expect(argentina?.period.text == "2010")
    }
}

@Suite("SDMX-ML data messages")
struct SDMXMLReaderTests {
    func read(_ data: Data, chunk: Int = 1 << 20) throws -> (Collected, StatisticsSummary) {
        let collected = Collected()
        let summary = try SDMXMLReader.read(dataset: "D", output: collected.output) { feed in
            var offset = 0
            while offset < data.count {
                try feed(data.subdata(in: offset..<min(offset + chunk, data.count)))
                offset += chunk
            }
        }
        return (collected, summary)
    }

    @Test("Series and dataset attributes, units, flags, missing values and deletions")
    func delta() throws {
        let (collected, summary) = try read(try fixture("sdmx-generic-delta.xml"), chunk: 97)
        #expect(summary.observations == 2)
        let key = "COUNTRY=CHN.INDICATOR=XG_FOB_USD.COUNTERPART_COUNTRY=PRK.FREQUENCY=M"
        let may = try #require(collected.observations.first { $0.period.text == "2019-05" })
        #expect(may.series.canonical == key)
        #expect(may.value == "231.52")
        #expect(may.unit == "USD")
        #expect(may.unitMultiplier == 6)
        #expect(may.status == "A")
        #expect(may.attributes["SOURCE_AGENCY"] == "IMF")
        let june = try #require(collected.observations.first { $0.period.text == "2019-06" })
        #expect(june.value == nil)
        #expect(june.number == nil)
        #expect(collected.deletions == [ObservationKey(dataset: "D", series: key, period: "2019-04")])
    }

    @Test("An SDMX error message, a truncated message and an HTML page are errors, not empty data")
    func failures() throws {
        #expect(throws: StatisticsError.self) { try read(try fixture("sdmx-error.xml")) }
        #expect {
            try read(try fixture("sdmx-truncated.xml"))
        } throws: { error in
            (error as? StatisticsError)?.code == .malformed
                && (error as? StatisticsError)?.place?.hasPrefix("line") == true
        }
        #expect {
            try read(Data("<html><body>Service unavailable</body></html>".utf8))
        } throws: { error in
            "\(error)".contains("not an SDMX data message")
        }
    }

    static let corpus = Corpora.root + "/sdmx/"

    /// The twelve ECB exchange rates of the corpus's `expected/ng-flat-xml.txt`.
    static func expectedRates() throws -> Set<String>? {
        guard let text = try? String(contentsOfFile: corpus + "expected/ng-flat-xml.txt", encoding: .utf8) else {
            return nil
        }
        var rows: Set<String> = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            rows.insert("CURRENCY=\(fields[1]) EXR_VAR=\(fields[4]) \(fields[5]) \(fields[6])")
        }
        return rows
    }

    @Test(
        "Every layout of the same ECB message reads to the same figures as sdmx1's rendering",
        arguments: [
            "ng-flat.xml", "ng-flat-ss.xml", "ng-ts.xml", "ng-ts-ss.xml", "ng-ts-gf.xml", "ng-ts-gf-ss.xml",
            "ng-xs.xml",
            "ng-xs-ss.xml",
        ])
    func layouts(file: String) throws {
        guard let expected = try Self.expectedRates(),
            let data = FileManager.default.contents(atPath: Self.corpus + "ECB_EXR/" + file)
        else {
            Corpora.skip("sdmx")
            return
        }
        let (collected, _) = try read(data, chunk: 1000)
        var rows: Set<String> = []
        for observation in collected.observations {
            let dimensions = Dictionary(uniqueKeysWithValues: observation.series.dimensions.map { ($0.id, $0.value) })
            #expect(dimensions["FREQ"] == "M" && dimensions["CURRENCY_DENOM"] == "EUR", "\(file)")
            #expect(dimensions["TIME_PERIOD"] == nil, "\(file): the period is not part of the key")
            let value = observation.value.flatMap(Double.init).map { "\($0)" } ?? "-"
            rows.insert(
                "CURRENCY=\(dimensions["CURRENCY"] ?? "?") EXR_VAR=\(dimensions["EXR_VAR"] ?? "?") \(observation.period.text) \(value)"
            )
        }
        let normalized = Set(
            expected.map { row in
                let parts = row.split(separator: " ")
                return parts.dropLast().joined(separator: " ") + " \(Double(parts.last!)!)"
            })
        #expect(rows == normalized, "\(file)")
        if file.contains("ts") {
            #expect(collected.observations.allSatisfy { $0.status == "A" && $0.unitMultiplier == 0 }, "\(file)")
        }
    }

    @Test("SDMX-ML 3.0, IMF and Eurostat messages from the corpus; Eurostat's deferred answer is 'not ready'")
    func otherPublishers() throws {
        guard FileManager.default.fileExists(atPath: Self.corpus) else {
            Corpora.skip("sdmx")
            return
        }
        for file in ["v3/xml/ECB_EXR0.xml", "IMF/PCPS.xml", "ESTAT/NAMA_10_GDP-ss.xml", "WB/gh-78.xml"] {
            guard let data = FileManager.default.contents(atPath: Self.corpus + file) else { continue }
            let (collected, summary) = try read(data, chunk: 4096)
            #expect(summary.observations > 0, "\(file)")
            #expect(collected.observations.allSatisfy { !$0.series.dimensions.isEmpty && !$0.period.text.isEmpty })
        }
        let footer = try #require(FileManager.default.contents(atPath: Self.corpus + "ESTAT/footer.xml"))
        #expect {
            try read(footer)
        } throws: { error in
            let error = error as? StatisticsError
            return error?.code == .notReady
                && error?.pollURL == "http://ec.europa.eu/eurostat/SDMX/diss-web/file/wHsvjs7hQCy7Dqf4"
        }
    }
}

@Suite("SDMX-JSON data messages")
struct SDMXJSONReaderTests {
    @Test("2.0: positions resolved against the structure, attributes at every level, nulls missing")
    func version2() throws {
        let collected = Collected()
        let summary = try SDMXJSONReader.read(try fixture("sdmx-data-2.0.json"), dataset: "T", into: collected.output)
        #expect(summary.observations == 4)
        #expect(collected.value("REPORTER=CN.FLOW=M.CMD=6704", "2019-05") == "1500.5")
        #expect(collected.value("REPORTER=CN.FLOW=X.CMD=6704", "2019-06") == "2411000.25")
        #expect(collected.value("REPORTER=CN.FLOW=X.CMD=6704", "2019-05") == .some(nil))
        let june = try #require(
            collected.observations.first {
                $0.series.canonical == "REPORTER=CN.FLOW=M.CMD=6704" && $0.period.text == "2019-06"
            })
        #expect(june.status == "P")
        #expect(june.unit == "USD")
        #expect(june.attributes["SOURCE_AGENCY"] == "CUSTOMS")
    }

    @Test("The corpus's 1.0 messages match sdmx1's renderings; a Delete data set deletes")
    func corpus() throws {
        let base = SDMXMLReaderTests.corpus + "ECB_EXR/"
        guard let flat = FileManager.default.contents(atPath: base + "flat.json"),
            let deleting = FileManager.default.contents(atPath: base + "action-delete.json")
        else {
            Corpora.skip("sdmx")
            return
        }
        let collected = Collected()
        _ = try SDMXJSONReader.read(flat, dataset: "EXR", into: collected.output)
        let rub = collected.observations.first {
            $0.series.canonical.contains("CURRENCY=RUB") && $0.period.text == "2013-01-18"
        }
        #expect(rub.flatMap(\.number) == 40.3426)
        #expect(collected.observations.count == 4)

        let deleted = Collected()
        let summary = try SDMXJSONReader.read(deleting, dataset: "EXR", into: deleted.output)
        #expect(summary.deletions > 0 || summary.observations > 0)
        for file in ["exr-time-series.json", "exr-flat.json", "exr-cross-section.json", "agri.json"] {
            guard let data = FileManager.default.contents(atPath: SDMXMLReaderTests.corpus + "v3/json/data/" + file)
            else {
                continue
            }
            let read = Collected()
            let result = try SDMXJSONReader.read(data, dataset: "X", into: read.output)
            #expect(result.observations + result.deletions > 0, "\(file)")
        }
    }
}

@Suite("SDMX-JSON streamed in chunks")
struct SDMXJSONStreamingTests {
    /// Every observation as one line of text, in the order the reader gave them.
    static func lines(_ data: Data, chunk: Int) throws -> [String] {
        let collected = Collected()
        _ = try SDMXJSONReader.read(dataset: "T", into: collected.output) { feed in
            var start = 0
            while start < data.count {
                try feed(data.subdata(in: start..<min(data.count, start + chunk)))
                start += chunk
            }
        }
        return collected.observations.map {
            "\($0.series.canonical)|\($0.period.text)|\($0.value ?? "-")|\($0.status ?? "")|\($0.unit ?? "")|"
                + $0.attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        } + collected.deletions.map { "delete \($0.series)|\($0.period)" }
    }

    @Test("Any chunk size gives the same observations as the whole message at once")
    func chunkSizes() throws {
        var messages = [try fixture("sdmx-data-2.0.json")]
        for file in ["ECB_EXR/flat.json", "ECB_EXR/action-delete.json", "v3/json/data/exr-time-series.json"] {
            if let data = FileManager.default.contents(atPath: SDMXMLReaderTests.corpus + file) {
                messages.append(data)
            }
        }
        for message in messages {
            let whole = try Self.lines(message, chunk: message.count)
            #expect(!whole.isEmpty)
            for chunk in [1, 2, 7, 64, 4096] {
                #expect(try Self.lines(message, chunk: chunk) == whole, "chunk \(chunk)")
            }
        }
    }

    @Test("Escapes, surrogate pairs and numbers are read exactly; bad JSON names the byte where it breaks")
    func syntax() throws {
        let message = """
            {"structure": {"dimensions": {"series": [{"id": "CMD", "values": [{"id": "6704\\u00e9"}]}],
             "observation": [{"id": "TIME_PERIOD", "values": [{"id": "2019-01"}, {"id": "2019-02"}]}]},
             "attributes": {"observation": [{"id": "NOTE", "values": [{"id": "\\ud83d\\ude00 \\"q\\" \\\\ \\/"}]}]}},
             "dataSets": [{"series": {"0": {"observations": {"0": [1.5e3, 0], "1": [-0.25, null]}}}}]}
            """
        let lines = try Self.lines(Data(message.utf8), chunk: 3)
        #expect(lines == ["CMD=6704é|2019-01|1500|||NOTE=😀 \"q\" \\ /", "CMD=6704é|2019-02|-0.25|||"])
        for (bad, place) in [
            (#"{"dataSets": [1, 2,]}"#, "at byte 19"), (#"{"dataSets": [01]}"#, "at byte 14"),
            (#"{"dataSets": ["open"#, "ends early"), (#"{"a": tru}"#, "at byte 6"),
        ] {
            #expect(throws: StatisticsError.self) { _ = try Self.lines(Data(bad.utf8), chunk: 5) }
            do {
                _ = try Self.lines(Data(bad.utf8), chunk: 5)
            } catch let error as StatisticsError {
                #expect(error.code == .malformed)
                #expect("\(error)".contains(place) || "\(error)".contains("unterminated"), "\(bad): \(error)")
            }
        }
    }
}

@Suite("CSV from statistics offices")
struct CSVStatisticsReaderTests {
    var mapping: CSVMapping {
        var mapping = CSVMapping(dataset: "CUSTOMS")
        mapping.delimiter = UInt8(ascii: ";")
        mapping.skipLines = 1
        mapping.dimensions = [("Flow", "FLOW"), ("HS", "CMD")]
        mapping.period = "Month"
        mapping.value = "Value"
        mapping.flags = "Flag"
        mapping.attributes = [("Note", "NOTE")]
        mapping.decimalSeparator = UInt8(ascii: ",")
        mapping.thousandsSeparator = UInt8(ascii: ".")
        return mapping
    }

    @Test("Decimal commas, thousands separators, quoted fields and missing markers")
    func officeFile() throws {
        let collected = Collected()
        let summary = try CSVStatisticsReader.read(
            try fixture("customs-decimal-comma.csv"), mapping: mapping, into: collected.output)
        #expect(summary.observations == 3)
        #expect(collected.value("FLOW=Export.CMD=6704", "2019-06") == "2411000.50")
        #expect(collected.value("FLOW=Import.CMD=9701", "2019-06") == "80125.75")
        let missing = try #require(collected.observations.first { $0.series.canonical == "FLOW=Import.CMD=6704" })
        #expect(missing.value == nil)
        #expect(missing.status == "P")
        #expect(missing.attributes["NOTE"] == "late; estimated")
    }

    @Test("A value that is not a number names its line and column; a missing column names the header")
    func errors() throws {
        let bad = Data(
            "Reporter;Partner;Flow;HS;Month;Value;Flag;Note\nChina;DPRK;Export;6704;2019-06;12 units;A;\n".utf8)
        var mapping = self.mapping
        mapping.skipLines = 0
        #expect {
            try CSVStatisticsReader.read(bad, mapping: mapping, into: Collected().output)
        } throws: { error in
            "\(error)" == "line 2, column Value: \"12 units\" is not a number nor a missing-value marker"
        }
        mapping.value = "Amount"
        #expect {
            try CSVStatisticsReader.read(bad, mapping: mapping, into: Collected().output)
        } throws: { error in
            "\(error)".contains("has no column \"Amount\"")
        }
    }

    @Test("Files in legacy encodings are converted (windows-1252, GBK)")
    func encodings() throws {
        var mapping = CSVMapping(dataset: "D")
        mapping.dimensions = [("Country", "COUNTRY")]
        mapping.encoding = "windows-1252"
        let latin = Data([UInt8]("Country,PERIOD,VALUE\nC".utf8) + [0xF4] + [UInt8]("te d'Ivoire,2019,5\n".utf8))
        let collected = Collected()
        _ = try CSVStatisticsReader.read(latin, mapping: mapping, into: collected.output)
        #expect(collected.observations.first?.series.canonical == "COUNTRY=Côte d'Ivoire")

        mapping.encoding = "GBK"
        let gbk = Data([UInt8]("Country,PERIOD,VALUE\n".utf8) + [0xB3, 0xAF, 0xCF, 0xCA] + [UInt8](",2019,7\n".utf8))
        let korean = Collected()
        _ = try CSVStatisticsReader.read(gbk, mapping: mapping, into: korean.output)
        #expect(korean.observations.first?.series.canonical == "COUNTRY=朝鲜")
    }
}

@Suite("Every SDMX data message in the corpus")
struct SDMXCorpusTests {
    /// Observations a message holds, counted independently of our readers: `Obs` start tags
    /// for SDMX-ML, observation arrays found by Foundation's JSON parser for SDMX-JSON.
    static func independentCount(_ data: Data, json: Bool) throws -> Int {
        if !json {
            let text = String(decoding: data, as: UTF8.self)
            let pattern = try NSRegularExpression(pattern: #"<([A-Za-z0-9_]+:)?Obs[\s>/]"#)
            return pattern.numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text))
        }
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let body = (root["data"] as? [String: Any]) ?? root
        var count = 0
        for set in body["dataSets"] as? [[String: Any]] ?? [] {
            if let series = set["series"] as? [String: Any] {
                for case let one as [String: Any] in series.values {
                    count += (one["observations"] as? [String: Any])?.count ?? 0
                }
            }
            count += (set["observations"] as? [String: Any])?.count ?? 0
        }
        return count
    }

    @Test("Each parses, with as many observations (or deletions) as the message holds")
    func everyMessage() throws {
        let root = SDMXMLReaderTests.corpus
        guard Corpora.folder("sdmx") != nil,
            let files = FileManager.default.enumerator(atPath: root)?.allObjects as? [String]
        else {
            Corpora.skip("sdmx")
            return
        }
        var checked = 0
        for file in files.sorted() where file.hasSuffix(".xml") || file.hasSuffix(".json") {
            let data = try #require(FileManager.default.contents(atPath: root + file))
            let json = file.hasSuffix(".json")
            // Structure messages and Eurostat's deferred answer (tested on its own) hold no data.
            if file.hasSuffix("footer.xml") || (!json && data.firstRange(of: Data("DataSet".utf8)) == nil) {
                print("  not a data message: \(file)")
                continue
            }
            let collected = Collected()
            let summary: StatisticsSummary
            if json, let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                object["errors"] != nil
            {
                // An error answer: an error, never empty data.
                #expect(throws: StatisticsError.self, "\(file)") {
                    _ = try SDMXJSONReader.read(data, dataset: "C", into: collected.output)
                }
                checked += 1
                continue
            }
            if json {
                summary = try SDMXJSONReader.read(data, dataset: "C", into: collected.output)
            } else {
                summary = try SDMXMLReader.read(dataset: "C", output: collected.output) { feed in try feed(data) }
            }
            // Observations skipped for want of a key or period are each a warning.
            let skipped = summary.warnings.filter { $0.contains("was skipped") }.count
            let read = summary.observations + summary.deletions + skipped
            #expect(!summary.warnings.contains { $0.contains("more than once") }, "\(file): \(summary.warnings)")
            #expect(read > 0, "\(file)")
            #expect(read == (try Self.independentCount(data, json: json)), "\(file): \(summary)")
            #expect(
                collected.observations.allSatisfy { !$0.series.dimensions.isEmpty && !$0.period.text.isEmpty },
                "\(file)")
            checked += 1
        }
        print("SDMX corpus: \(checked) data messages read")
        #expect(checked >= 20)
    }
}
