import Foundation
import TestSupport
import Testing
import TradeWatchCache
import TradeWatchSync

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Every SDMX data message of the shared corpus, published on loopback and synced by
/// `tradewatchd --once` (one source per file), stores what an independent reader finds in
/// it: as many observations, with the same values.
@Suite("The SDMX corpus, synced end to end")
struct CorpusSyncTests {
    /// What a message holds, read without any of tradewatch's code.
    struct Expected {
        /// Observation values (nil: no figure), one per observation the message keeps.
        var values: [Double?]
        /// The publisher answered with an error document.
        var isError = false
    }

    /// SDMX-ML: one observation per `Obs` element (a measure of an explicit-measure message is
    /// an `Obs` of its own), its value `OBS_VALUE` or the generic `ObsValue`'s.
    final class ObsCounter: NSObject, XMLParserDelegate {
        var values: [Double?] = []
        var inObs = false

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            switch name {
            case "Obs":
                inObs = true
                values.append(attributes["OBS_VALUE"].flatMap(Double.init))
            case "ObsValue" where inObs:
                values[values.count - 1] = attributes["value"].flatMap(Double.init)
            default: break
            }
        }

        func parser(
            _ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?
        ) {
            if name == "Obs" { inObs = false }
        }
    }

    static func expected(_ data: Data, json: Bool) throws -> Expected {
        if !json {
            let counter = ObsCounter()
            let parser = XMLParser(data: data)
            parser.shouldProcessNamespaces = true
            parser.delegate = counter
            #expect(parser.parse())
            return Expected(values: counter.values.map { $0?.isNaN == true ? nil : $0 })
        }
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        if let errors = root["errors"] as? [Any], !errors.isEmpty { return Expected(values: [], isError: true) }
        let body = (root["data"] as? [String: Any]) ?? root
        // By position key, in data set order: a Delete data set removes what an earlier one gave.
        var figures: [String: Double?] = [:]
        func value(_ observation: Any?) -> Double? {
            guard let first = (observation as? [Any])?.first else { return nil }
            if let number = first as? NSNumber { return number.doubleValue.isNaN ? nil : number.doubleValue }
            return (first as? String).flatMap(Double.init)
        }
        for set in body["dataSets"] as? [[String: Any]] ?? [] {
            let deleting = (set["action"] as? String)?.lowercased() == "delete"
            let structure = "\(set["structure"] ?? 0)"
            var keyed: [(String, Any)] = []
            for (seriesKey, series) in set["series"] as? [String: Any] ?? [:] {
                for (key, observation) in (series as? [String: Any])?["observations"] as? [String: Any] ?? [:] {
                    keyed.append(("\(structure)|\(seriesKey)|\(key)", observation))
                }
            }
            for (key, observation) in set["observations"] as? [String: Any] ?? [:] {
                keyed.append(("\(structure)||\(key)", observation))
            }
            for (key, observation) in keyed {
                if deleting { figures[key] = nil } else { figures[key] = .some(value(observation)) }
            }
        }
        return Expected(values: Array(figures.values))
    }

    /// Values in one order, missing ones first.
    static func sorted(_ values: [Double?]) -> [Double?] {
        values.sorted { ($0 ?? -.infinity) < ($1 ?? -.infinity) }
    }

    @Test("Each data message stores as many observations, with the same values, as it holds")
    func everyMessage() async throws {
        guard let corpus = Corpora.folder("sdmx") else {
            Corpora.skip("sdmx")
            return
        }
        let files = (FileManager.default.enumerator(atPath: corpus)?.allObjects as? [String] ?? []).sorted()
        var messages: [(name: String, file: String, json: Bool, expected: Expected)] = []
        for file in files where file.hasSuffix(".xml") || file.hasSuffix(".json") {
            let data = try #require(FileManager.default.contents(atPath: corpus + "/" + file))
            let json = file.hasSuffix(".json")
            // Structure messages and Eurostat's deferred answer hold no data.
            if !json && (file.hasSuffix("footer.xml") || data.firstRange(of: Data("DataSet".utf8)) == nil) { continue }
            messages.append(("corpus-\(messages.count)", file, json, try Self.expected(data, json: json)))
        }
        #expect(messages.count >= 20, "\(messages.map(\.file))")

        let server = try FolderServer(folder: corpus)
        let directory = TemporaryDirectory()
        var config = """
            [daemon]
            cache = "\(directory.file("cache.db"))"
            control_socket = "\(directory.file("control.sock"))"
            interval = "1h"
            jitter = "0s"
            startup_spread = "0s"

            """
        for message in messages {
            config += """

                [[source]]
                name = "\(message.name)"
                kind = "sdmx"
                url = "\(server.url(message.file))"
                \(message.json ? "format = \"sdmx-json\"" : "")

                """
        }
        let configPath = directory.file("tradewatch.toml")
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let run = try await runOffPool(builtProduct("tradewatchd"), ["--config", configPath, "--once"])

        let cache = try SQLiteCache(path: directory.file("cache.db"), access: .readOnly)
        let latest = try cache.resolve(.latest)
        let status = Dictionary(uniqueKeysWithValues: try cache.status().map { ($0.name, $0) })
        var stored = 0
        for message in messages {
            let source = try #require(status[message.name], "\(message.file): not attempted\n\(run.stderr)")
            if message.expected.isError {
                #expect(source.lastErrorCode == SyncErrorCode.publisherError.rawValue, "\(message.file)")
                continue
            }
            #expect(source.lastErrorCode == nil, "\(message.file): \(source.lastErrorMessage ?? "")")
            let rows = try cache.observations(at: latest, filter: RowFilter(sources: [message.name]))
            #expect(
                rows.count == message.expected.values.count,
                "\(message.file): stored \(rows.count), the message holds \(message.expected.values.count)")
            let values = rows.map { $0.value.flatMap(Double.init) }
            #expect(Self.sorted(values) == Self.sorted(message.expected.values), "\(message.file): values differ")
            stored += rows.count
        }
        print("SDMX corpus end to end: \(messages.count) messages, \(stored) observations stored")
    }
}
