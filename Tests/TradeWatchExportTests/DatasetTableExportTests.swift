import Foundation
import GRDB
import TestSupport
import Testing
import TradeWatchCache
import TradeWatchExport
import TradeWatchModel

/// Per-dataset tables as an analyst opens them: a column per dimension with its code and its
/// label, in the structure's order, in CSV, NDJSON and the SQLite snapshot, described by
/// `datapackage.json`.
@Suite("Per-dataset tables")
struct DatasetTableExportTests {
    /// A label with a comma, quotes and a line break: CSV must quote it, NDJSON escape it.
    static let wigs = "Wigs, \"false\" beards\nand eyelashes"

    /// The structure of dataset TRADE, whose dimensions are declared in an order the keys
    /// below do not follow.
    static let structure = DatasetStructure(
        dataset: "TRADE",
        names: [
            .init(language: "fr", text: "Commerce international"), .init(language: "en", text: "International trade"),
        ],
        reference: "TW:DSD_TRADE(1.0)",
        dimensions: [
            .init(id: "FREQ", names: [.init(language: "en", text: "Frequency")], codelist: "SDMX:CL_FREQ(2.1)"),
            .init(id: "REPORTER", names: [.init(language: "en", text: "Reporting area")], codelist: "TW:CL_AREA(1.0)"),
            .init(
                id: "PARTNER",
                names: [
                    .init(language: "fr", text: "Zone partenaire"), .init(language: "en", text: "Counterpart area"),
                ],
                codelist: "TW:CL_AREA(1.0)"),
            .init(id: "CMD", names: [.init(language: "en", text: "Commodity")], codelist: "TW:CL_HS(2017)"),
        ],
        timeDimension: "TIME_PERIOD")

    static let labels: [CodeLabel] = [
        CodeLabel(component: "FREQ", code: "M", language: "fr", name: "Mensuel"),
        CodeLabel(component: "REPORTER", code: "156", name: "China"),
        CodeLabel(component: "PARTNER", code: "408", language: "fr", name: "Corée, Rép. pop. dém."),
        CodeLabel(component: "PARTNER", code: "408", language: "en", name: "Korea, Dem. People's Rep."),
        CodeLabel(component: "PARTNER", code: "410", language: "en", name: "Korea, Rep."),
        CodeLabel(component: "CMD", code: "6704", language: "en", name: wigs),
    ]

    /// One pull: the structure and labels of TRADE, its figures (keys in another order than
    /// the structure's, one without REPORTER, one with a dimension the structure lacks; 9701
    /// has no label), and a dataset with a hostile id and no structure.
    static func cache(in directory: TemporaryDirectory) throws -> SQLiteCache {
        let path = directory.file("cache.db")
        let cache = try SQLiteCache(path: path)
        let observations = [
            Observation(
                dataset: "TRADE", series: SeriesKey(["CMD": "6704", "PARTNER": "408", "FREQ": "M", "REPORTER": "156"]),
                period: Period("2019-03"), value: "1250", unit: "USD", status: "A"),
            Observation(
                dataset: "TRADE", series: SeriesKey(["CMD": "6704", "PARTNER": "410", "FREQ": "M", "REPORTER": "156"]),
                period: Period("2019-03"), value: "7", unit: "USD"),
            Observation(
                dataset: "TRADE", series: SeriesKey(["CMD": "9701", "PARTNER": "408", "FREQ": "M"]),
                period: Period("2019-03"), value: "5", unit: "USD", attributes: ["NOTE": "a, \"b\""]),
            Observation(
                dataset: "TRADE",
                series: SeriesKey(["CMD": "9701", "PARTNER": "408", "FREQ": "M", "REPORTER": "156", "CUSTOMS": "C00"]),
                period: Period("2019-04"), value: "6", unit: "USD"),
            Observation(
                dataset: "../up/.x", series: SeriesKey(["A": "1", "B": "2"]), period: Period("2019"), value: "3"),
        ]
        try cache.record(
            source: "customs", kind: "sdmx",
            attempt: FetchAttempt(startedAt: Date(timeIntervalSince1970: 1_561_939_200), url: "http://127.0.0.1/c"),
            result: .pulled(
                PullContent(mode: .snapshot, observationScope: .wholeSource) { sink in
                    sink.labels(LabelBatch(dataset: "TRADE", structure: structure, labels: labels))
                    for observation in observations { try sink.add(observation) }
                }),
            finishedAt: Date(timeIntervalSince1970: 1_561_939_260))
        return try SQLiteCache(path: path, access: .readOnly)
    }

    func contents(_ folder: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            result[name] = FileManager.default.contents(atPath: folder + "/" + name)
        }
        return result
    }

    static let columns = [
        "source", "dataset", "series", "FREQ", "FREQ_label", "REPORTER", "REPORTER_label", "PARTNER", "PARTNER_label",
        "CMD", "CMD_label", "CUSTOMS", "CUSTOMS_label", "period", "period_start", "period_end", "value", "number",
        "unit", "unit_mult", "status", "attributes", "from_rev",
    ]

    @Test("CSV: a column per dimension in the structure's order, labels filled, quoted where RFC 4180 needs it")
    func csvTable() throws {
        let directory = TemporaryDirectory()
        let out = directory.file("out")
        let summary = try SnapshotExporter(cache: try Self.cache(in: directory))
            .export(to: out, options: .init(revision: 1, formats: [.csv]))
        #expect(summary.files.contains("customs.TRADE.csv"))
        let rows = try CSV.parse(try String(contentsOfFile: out + "/customs.TRADE.csv", encoding: .utf8))
        #expect(rows.first == Self.columns)
        let table = rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(Self.columns, $0)) }
        #expect(table.count == 4)
        #expect(rows.allSatisfy { $0.count == Self.columns.count })

        let wigs = try #require(table.first { $0["CMD"] == "6704" && $0["PARTNER"] == "408" })
        #expect(wigs["series"] == "CMD=6704.PARTNER=408.FREQ=M.REPORTER=156")
        #expect(wigs["CMD_label"] == Self.wigs)
        #expect(wigs["PARTNER_label"] == "Korea, Dem. People's Rep.")
        #expect(wigs["FREQ_label"] == "Mensuel")
        #expect(wigs["REPORTER_label"] == "China")
        #expect(wigs["CUSTOMS"] == "" && wigs["CUSTOMS_label"] == "")
        #expect(wigs["value"] == "1250" && wigs["status"] == "A" && wigs["period"] == "2019-03")

        let noReporter = try #require(table.first { $0["CMD"] == "9701" && $0["period"] == "2019-03" })
        #expect(noReporter["REPORTER"] == "" && noReporter["REPORTER_label"] == "")
        #expect(noReporter["CMD_label"] == "")
        #expect(noReporter["attributes"] == #"{"NOTE":"a, \"b\""}"#)
        let customs = try #require(table.first { $0["period"] == "2019-04" })
        #expect(customs["CUSTOMS"] == "C00" && customs["REPORTER"] == "156")

        // observations.csv is as it was: one key column.
        let observations = try String(contentsOfFile: out + "/observations.csv", encoding: .utf8)
        #expect(observations.hasPrefix("source,dataset,series,period,period_start,period_end,value,"))
    }

    @Test("NDJSON: the same columns as keys, the hostile label intact, no label as null")
    func ndjsonTable() throws {
        let directory = TemporaryDirectory()
        let out = directory.file("out")
        try SnapshotExporter(cache: try Self.cache(in: directory)).export(
            to: out, options: .init(revision: 1, formats: [.ndjson]))
        let text = try String(contentsOfFile: out + "/customs.TRADE.ndjson", encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 4)
        let objects = try lines.map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let wigs = try #require(objects.first { $0["CMD"] as? String == "6704" && $0["PARTNER"] as? String == "408" })
        #expect(wigs["CMD_label"] as? String == Self.wigs)
        #expect(wigs["PARTNER_label"] as? String == "Korea, Dem. People's Rep.")
        #expect(wigs["CUSTOMS"] is NSNull)
        // Keys in column order, as the CSV header.
        let first = try #require(lines.first.map(String.init))
        let positions = Self.columns.compactMap { first.range(of: "\"\($0)\":")?.lowerBound }
        #expect(positions.count == Self.columns.count && positions == positions.sorted())
    }

    @Test("SQLite: one table per dataset with the same columns and rows")
    func sqliteTable() throws {
        let directory = TemporaryDirectory()
        let out = directory.file("out")
        try SnapshotExporter(cache: try Self.cache(in: directory)).export(
            to: out, options: .init(revision: 1, formats: [.sqlite]))
        let queue = try DatabaseQueue(path: out + "/snapshot.sqlite")
        try queue.read { db in
            let columns = try Row.fetchAll(db, sql: #"PRAGMA table_info("customs.TRADE")"#).map { $0["name"] as String }
            #expect(columns == Self.columns)
            let label = try String.fetchOne(
                db, sql: #"SELECT PARTNER_label FROM "customs.TRADE" WHERE CMD = '6704' AND PARTNER = '408'"#)
            #expect(label == "Korea, Dem. People's Rep.")
            #expect(
                try String.fetchOne(db, sql: #"SELECT CMD_label FROM "customs.TRADE" WHERE CMD = '6704' LIMIT 1"#)
                    == Self.wigs)
            #expect(try Int.fetchOne(db, sql: #"SELECT count(*) FROM "customs.TRADE" WHERE REPORTER IS NULL"#) == 1)
            let tables = try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            #expect(tables.count == 4)
            #expect(tables.contains("observations") && tables.contains("entries") && tables.contains("customs.TRADE"))
            let hostile = try #require(tables.first { $0.hasPrefix("customs.___up__x.") })
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM \"\(hostile)\"") == 1)
        }
    }

    @Test("A hostile dataset id makes a safe file name; datapackage.json gives the id, the title and each column")
    func manifest() throws {
        let directory = TemporaryDirectory()
        let out = directory.file("out")
        let summary = try SnapshotExporter(cache: try Self.cache(in: directory))
            .export(to: out, options: .init(revision: 1, formats: [.csv, .ndjson]))
        let files = try FileManager.default.contentsOfDirectory(atPath: out)
        let hostile = try #require(files.first { $0.hasPrefix("customs.___up__x.") && $0.hasSuffix(".csv") })
        #expect(!hostile.contains("/") && files.allSatisfy { !$0.hasPrefix(".") })
        #expect(Set(summary.files) == Set(files))

        let data = try #require(FileManager.default.contents(atPath: out + "/datapackage.json"))
        let package = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let resources = try #require(package["resources"] as? [[String: Any]])
        #expect(resources.count == 8)
        let trade = try #require(resources.first { $0["path"] as? String == "customs.TRADE.csv" })
        #expect(trade["title"] as? String == "International trade")
        let origin = try #require(trade["tradewatch"] as? [String: Any])
        #expect(origin["dataset"] as? String == "TRADE" && origin["table"] as? String == "customs.TRADE")
        #expect(origin["structure"] as? String == "TW:DSD_TRADE(1.0)")
        let schema = try #require(trade["schema"] as? [String: Any])
        let fields = try #require(schema["fields"] as? [[String: Any]])
        #expect(fields.compactMap { $0["name"] as? String } == Self.columns)
        let partner = try #require(fields.first { $0["name"] as? String == "PARTNER" })
        let description = try #require(partner["description"] as? String)
        #expect(description.contains("Counterpart area") && description.contains("TW:CL_AREA(1.0)"))
        let customs = try #require(fields.first { $0["name"] as? String == "CUSTOMS" })
        #expect((customs["description"] as? String)?.contains("not in the dataset's structure") == true)
        // Every dimension column says what it holds.
        for field in fields[3..<13] {
            #expect((field["description"] as? String)?.isEmpty == false, "\(field)")
        }

        let other = try #require(resources.first { $0["path"] as? String == hostile })
        #expect((other["tradewatch"] as? [String: Any])?["dataset"] as? String == "../up/.x")
        #expect(other["title"] == nil)
        for resource in resources {
            let path = try #require(resource["path"] as? String)
            let bytes = try #require(FileManager.default.contents(atPath: out + "/" + path))
            #expect(resource["hash"] as? String == "sha256:" + SHA256.hex(bytes), "\(path)")
        }
    }

    @Test("The same revision exported twice gives the same bytes, and the second replaces the first with --force")
    func reproducible() throws {
        let directory = TemporaryDirectory()
        let cache = try Self.cache(in: directory)
        let options = SnapshotExporter.Options(revision: 1, formats: [.csv, .ndjson, .sqlite])
        try SnapshotExporter(cache: cache).export(to: directory.file("a"), options: options)
        try SnapshotExporter(cache: cache).export(to: directory.file("b"), options: options)
        let a = try contents(directory.file("a"))
        #expect(a.count == 11)
        #expect(a == (try contents(directory.file("b"))))

        var force = options
        force.force = true
        try SnapshotExporter(cache: cache).export(to: directory.file("a"), options: force)
        #expect(a == (try contents(directory.file("a"))))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.path).allSatisfy {
                !$0.contains(".tradewatch-")
            })
    }

    @Test("Selectors narrow every table of figures")
    func narrowed() throws {
        let directory = TemporaryDirectory()
        let out = directory.file("out")
        let summary = try SnapshotExporter(cache: try Self.cache(in: directory))
            .export(to: out, options: .init(revision: 1, dimensions: ["PARTNER": ["410"]], formats: [.csv, .sqlite]))
        #expect(summary.observations == 1)
        #expect(
            summary.files.filter { $0.hasSuffix(".csv") }.sorted() == [
                "customs.TRADE.csv", "entries.csv", "observations.csv",
            ])
        let rows = try CSV.parse(try String(contentsOfFile: out + "/customs.TRADE.csv", encoding: .utf8))
        #expect(rows.count == 2)
        #expect(rows.last?[7] == "410" && rows.last?[8] == "Korea, Rep.")
        // Only the dimensions the exported keys and the structure have.
        #expect(rows.first == Self.columns.filter { !$0.hasPrefix("CUSTOMS") })
        let queue = try DatabaseQueue(path: out + "/snapshot.sqlite")
        #expect(try queue.read { try Int.fetchOne($0, sql: #"SELECT count(*) FROM "customs.TRADE""#) } == 1)
    }

    @Test(
        "An old revision's tables have the columns of the rows it holds, not of series added later; CSV and NDJSON agree"
    )
    func oldRevisionLayout() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("later.db")
        do {
            let writer = try SQLiteCache(path: path)
            let first = Observation(
                dataset: "TRADE", series: SeriesKey(["REPORTER": "156", "CMD": "6704"]), period: Period("2019-03"),
                value: "1")
            // Revision 2 adds a series with a dimension revision 1 never had.
            let later = Observation(
                dataset: "TRADE", series: SeriesKey(["REPORTER": "156", "CMD": "6704", "MOT": "9"]),
                period: Period("2019-03"), value: "2")
            for observations in [[first], [first, later]] {
                try writer.record(
                    source: "customs", kind: "sdmx",
                    attempt: FetchAttempt(startedAt: Date(), url: "http://127.0.0.1/c"),
                    result: .pulled(
                        PullContent(mode: .snapshot, observationScope: .wholeSource) { sink in
                            for observation in observations { try sink.add(observation) }
                        }))
            }
        }
        let cache = try SQLiteCache(path: path, access: .readOnly)
        let old = directory.file("old")
        try SnapshotExporter(cache: cache).export(to: old, options: .init(revision: 1, formats: [.csv, .ndjson]))
        let header = try String(contentsOfFile: old + "/customs.TRADE.csv", encoding: .utf8)
            .split(whereSeparator: \.isNewline).first.map(String.init)
        #expect(header?.hasPrefix("source,dataset,series,REPORTER,REPORTER_label,CMD,CMD_label,period,") == true)
        #expect(header?.contains("MOT") == false)
        let line =
            try String(contentsOfFile: old + "/customs.TRADE.ndjson", encoding: .utf8)
            .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        #expect(!line.contains("MOT"))
        // The latest revision has the new dimension, in both files.
        let new = directory.file("new")
        try SnapshotExporter(cache: cache).export(to: new, options: .init(revision: 2, formats: [.csv, .ndjson]))
        let latest = try String(contentsOfFile: new + "/customs.TRADE.csv", encoding: .utf8)
        #expect(latest.split(whereSeparator: \.isNewline).first?.contains("MOT,MOT_label") == true)
        #expect(latest.split(whereSeparator: \.isNewline).count == 3, "\(latest)")
    }

    @Test("An export of an old revision names codes as they were named then: a later rename changes no byte")
    func renamedLater() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("renamed.db")
        let writer = try SQLiteCache(path: path)
        let figure = Observation(
            dataset: "TRADE", series: SeriesKey(["PARTNER": "408", "CMD": "6704"]), period: Period("2019-03"),
            value: "1")
        func pull(_ name: String) throws {
            try writer.record(
                source: "customs", kind: "sdmx", attempt: FetchAttempt(startedAt: Date(), url: "http://127.0.0.1/c"),
                result: .pulled(
                    PullContent(mode: .snapshot, observationScope: .wholeSource) { sink in
                        sink.labels(
                            LabelBatch(
                                dataset: "TRADE", labels: [CodeLabel(component: "PARTNER", code: "408", name: name)],
                                complete: ["PARTNER"]))
                        try sink.add(figure)
                    }))
        }
        try pull("Korea, Dem. People's Rep.")
        let options = SnapshotExporter.Options(revision: 1, formats: [.csv, .ndjson, .sqlite])
        try SnapshotExporter(cache: writer).export(to: directory.file("before"), options: options)
        try pull("Democratic People's Republic of Korea")  // revision 2 renames 408
        try SnapshotExporter(cache: writer).export(to: directory.file("after"), options: options)
        let before = try contents(directory.file("before"))
        #expect(before == (try contents(directory.file("after"))))
        let table = String(decoding: before["customs.TRADE.csv"] ?? Data(), as: UTF8.self)
        #expect(table.contains("Korea, Dem. People's Rep.") && !table.contains("Democratic"))
        // The latest revision has the new name.
        try SnapshotExporter(cache: writer).export(
            to: directory.file("latest"), options: .init(revision: 2, formats: [.csv]))
        let latest = String(
            decoding: FileManager.default.contents(atPath: directory.file("latest") + "/customs.TRADE.csv") ?? Data(),
            as: UTF8.self)
        #expect(latest.contains("Democratic People's Republic of Korea"))
    }

}

/// A strict RFC 4180 reader for the tests: CRLF rows, quoted fields with doubled quotes.
enum CSV {
    struct Malformed: Error {}

    static func parse(_ text: String) throws -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var scalars = Array(text.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            if quoted {
                if scalar == "\"" {
                    if scalars.first == "\"" {
                        field.unicodeScalars.append(scalars.removeFirst())
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"":
                guard field.isEmpty else { throw Malformed() }
                quoted = true
            case ",":
                row.append(field)
                field = ""
            case "\r":
                guard scalars.popFirst() == "\n" else { throw Malformed() }
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            case "\n":
                throw Malformed()
            default:
                field.unicodeScalars.append(scalar)
            }
        }
        guard !quoted, row.isEmpty, field.isEmpty else { throw Malformed() }
        return rows
    }
}
