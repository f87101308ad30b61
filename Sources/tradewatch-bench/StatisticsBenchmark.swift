import ArgumentParser
import Foundation
import TradeWatchFormats
import TradeWatchModel

/// Reads a generated SDMX-ML 2.1 generic message (about 200 MB) and an SDMX-JSON message
/// (about 50 MB), beside sdmx1 (`sdmx.read_sdmx`) on a 20 MB slice in the same run; and a
/// structure message of codelists (about 20 MB), beside the data reader's speed per MB.
struct StatisticsBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Observations per second and peak RSS reading SDMX, against sdmx1.")

    @Option(help: "Size of the SDMX-ML message, in MB.")
    var megabytes = 200

    @Option(help: "Size of the SDMX-JSON message, in MB.")
    var jsonMegabytes = 50

    @Option(help: "Size of the SDMX-ML slice sdmx1 reads, in MB.")
    var peerMegabytes = 20

    @Option(help: "Size of the SDMX-ML structure message (codelists), in MB.")
    var structureMegabytes = 20

    @Option(help: "Where the generated files go.")
    var directory = NSTemporaryDirectory()

    func run() async throws {
        let big = directory + "/tradewatch-bench-sdmx.xml"
        let slice = directory + "/tradewatch-bench-sdmx-slice.xml"
        let json = directory + "/tradewatch-bench-sdmx.json"
        let structure = directory + "/tradewatch-bench-sdmx-structure.xml"
        defer { for path in [big, slice, json, structure] { try? FileManager.default.removeItem(atPath: path) } }
        try generateML(path: big, megabytes: megabytes)
        try generateML(path: slice, megabytes: peerMegabytes)
        try generateJSON(path: json, megabytes: jsonMegabytes)
        let codes = try SyntheticStructure.write(path: structure, megabytes: structureMegabytes)

        let peer = try? sdmx1(slice)
        let (sliceRate, _, _, _) = try readML(slice)
        let (rate, observations, bytes, peak) = try readML(big)
        Figure(
            benchmark: "stats", figure: "SDMX-ML 2.1 generic, \(bytes / 1_000_000) MB, \(observations) observations",
            unit: "obs/s", tradewatch: rate
        ).emit()
        Figure(
            benchmark: "stats", figure: "SDMX-ML \(peerMegabytes) MB slice", unit: "obs/s", tradewatch: sliceRate,
            peer: peer, peerName: "sdmx1 read_sdmx", goal: ">= 30x sdmx1"
        ).emit()
        let dataThroughput = rate * Double(bytes) / Double(max(observations, 1)) / 1e6
        Figure(benchmark: "stats", figure: "SDMX-ML throughput", unit: "MB/s", tradewatch: dataThroughput).emit()
        Figure(
            benchmark: "stats", figure: "peak RSS reading the \(bytes / 1_000_000) MB SDMX-ML message", unit: "MiB",
            tradewatch: peak, goal: "< 100 MB"
        ).emit()

        let (structureThroughput, structureBytes, structurePeak) = try readStructure(structure, codes: codes)
        Figure(
            benchmark: "stats",
            figure: "SDMX-ML structure, \(structureBytes / 1_000_000) MB of codelists (\(codes) codes, 2 languages)",
            unit: "MB/s", tradewatch: structureThroughput, peer: dataThroughput,
            peerName: "SDMX-ML data reader, same run", goal: ">= 1x the data reader per MB"
        ).emit()
        Figure(
            benchmark: "stats", figure: "peak RSS reading the structure message", unit: "MiB", tradewatch: structurePeak
        ).emit()

        let (jsonRate, jsonObservations, jsonBytes, jsonPeak) = try readJSON(json)
        Figure(
            benchmark: "stats",
            figure: "SDMX-JSON 1.0, \(jsonBytes / 1_000_000) MB, \(jsonObservations) observations", unit: "obs/s",
            tradewatch: jsonRate
        ).emit()
        Figure(
            benchmark: "stats", figure: "peak RSS reading the SDMX-JSON message", unit: "MiB", tradewatch: jsonPeak
        ).emit()
    }

    private func readML(_ path: String) throws -> (Double, Int, Int, Double) {
        ResourceUsage.resetPeak()
        var count = 0
        var bytes = 0
        let clock = ContinuousClock.now
        _ = try SDMXMLReader.read(
            dataset: "BENCH", output: StatisticsOutput(add: { _ in count += 1 }, delete: { _ in })
        ) { feed in
            bytes = try Self.chunks(of: path, feed)
        }
        return (Double(count) / ResourceUsage.seconds(.now - clock), count, bytes, ResourceUsage.peakMiB())
    }

    /// Reads the structure message in 1 MiB chunks: MB/s of the parse alone, the size, the peak
    /// RSS. The labels are made from it afterwards, to check that every code came through.
    private func readStructure(_ path: String, codes: Int) throws -> (Double, Int, Double) {
        ResourceUsage.resetPeak()
        var bytes = 0
        let clock = ContinuousClock.now
        let message = try SDMXStructureReader.read { feed in bytes = try Self.chunks(of: path, feed) }
        let seconds = ResourceUsage.seconds(.now - clock)
        let read = message.codelists.reduce(0) { $0 + $1.codes.count }
        guard read == codes, let batch = message.batch(for: "BENCH_FLOW"), !batch.labels.isEmpty else {
            throw ValidationError("the structure benchmark read \(read) of \(codes) codes")
        }
        return (Double(bytes) / seconds / 1e6, bytes, ResourceUsage.peakMiB())
    }

    /// Hands the file to `feed` in 1 MiB chunks; returns its size.
    private static func chunks(of path: String, _ feed: (Data) throws -> Void) throws -> Int {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var bytes = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            bytes += chunk.count
            try feed(chunk)
        }
        return bytes
    }

    private func readJSON(_ path: String) throws -> (Double, Int, Int, Double) {
        ResourceUsage.resetPeak()
        var count = 0
        let clock = ContinuousClock.now
        var bytes = 0
        _ = try SDMXJSONReader.read(
            dataset: "BENCH", into: StatisticsOutput(add: { _ in count += 1 }, delete: { _ in })
        ) { feed in
            // Read from the file in chunks, as the daemon reads a spilled body.
            bytes = try Self.chunks(of: path, feed)
        }
        return (Double(count) / ResourceUsage.seconds(.now - clock), count, bytes, ResourceUsage.peakMiB())
    }

    /// Monthly series of trade by reporter, partner, flow and HS heading, with attributes.
    private func generateML(path: String, megabytes: Int) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var buffer = """
            <?xml version="1.0" encoding="UTF-8"?>
            <message:GenericData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" \
            xmlns:generic="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic" \
            xmlns:common="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common">
            <message:Header><message:ID>BENCH</message:ID><message:Test>false</message:Test>\
            <message:Prepared>2019-07-01T00:00:00Z</message:Prepared><message:Sender id="BENCH"/>\
            <message:Structure structureID="S" dimensionAtObservation="TIME_PERIOD"><common:Structure>\
            <Ref agencyID="BENCH" id="TRADE" version="1.0"/></common:Structure></message:Structure></message:Header>
            <message:DataSet structureRef="S" action="Replace">

            """
        var written = 0
        var series = 0
        let target = megabytes * 1_000_000
        while written + buffer.utf8.count < target {
            let reporter = 100 + series % 200
            let partner = 400 + (series / 200) % 50
            let heading = 100 + (series / 10_000) % 9000
            buffer += """
                <generic:Series><generic:SeriesKey><generic:Value id="FREQ" value="M"/>\
                <generic:Value id="REPORTER" value="\(reporter)"/><generic:Value id="PARTNER" value="\(partner)"/>\
                <generic:Value id="FLOW" value="\(series % 2 == 0 ? "M" : "X")"/>\
                <generic:Value id="CMD" value="\(heading)"/></generic:SeriesKey><generic:Attributes>\
                <generic:Value id="UNIT_MEASURE" value="USD"/><generic:Value id="UNIT_MULT" value="3"/>\
                </generic:Attributes>

                """
            for month in 0..<36 {
                let value = Double((series * 7919 + month * 104_729) % 10_000_000) / 100
                buffer += """
                    <generic:Obs><generic:ObsDimension value="\(2017 + month / 12)-\(month % 12 < 9 ? "0" : "")\(month % 12 + 1)"/>\
                    <generic:ObsValue value="\(value)"/><generic:Attributes>\
                    <generic:Value id="OBS_STATUS" value="\(month > 32 ? "P" : "A")"/></generic:Attributes></generic:Obs>

                    """
            }
            buffer += "</generic:Series>\n"
            series += 1
            if buffer.utf8.count > 1 << 20 {
                written += buffer.utf8.count
                try handle.write(contentsOf: Data(buffer.utf8))
                buffer = ""
            }
        }
        buffer += "</message:DataSet></message:GenericData>\n"
        try handle.write(contentsOf: Data(buffer.utf8))
    }

    private func generateJSON(path: String, megabytes: Int) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let reporters = 200
        let headings = 2000
        let months = (0..<36).map { "{\"id\":\"\(2017 + $0 / 12)-\($0 % 12 < 9 ? "0" : "")\($0 % 12 + 1)\"}" }
        var buffer = """
            {"header":{"id":"BENCH","prepared":"2019-07-01T00:00:00Z","sender":{"id":"BENCH"}},
            "structure":{"dimensions":{"series":[{"id":"REPORTER","values":[\
            \((0..<reporters).map { "{\"id\":\"\(100 + $0)\"}" }.joined(separator: ","))]},\
            {"id":"CMD","values":[\((0..<headings).map { "{\"id\":\"\(1000 + $0)\"}" }.joined(separator: ","))]}],\
            "observation":[{"id":"TIME_PERIOD","values":[\(months.joined(separator: ","))]}]},\
            "attributes":{"series":[],"observation":[{"id":"OBS_STATUS","values":[{"id":"A"},{"id":"P"}]}]}},
            "dataSets":[{"action":"Replace","series":{
            """
        var written = 0
        var first = true
        outer: for reporter in 0..<reporters {
            for heading in 0..<headings {
                if written + buffer.utf8.count > megabytes * 1_000_000 { break outer }
                let observations = (0..<36).map { month in
                    "\"\(month)\":[\(Double((reporter * 31 + heading * 17 + month) % 100_000) / 10),\(month > 32 ? 1 : 0)]"
                }
                buffer +=
                    (first ? "" : ",") + "\"\(reporter):\(heading)\":{\"observations\":{"
                    + observations.joined(separator: ",") + "}}"
                first = false
                if buffer.utf8.count > 1 << 20 {
                    written += buffer.utf8.count
                    try handle.write(contentsOf: Data(buffer.utf8))
                    buffer = ""
                }
            }
        }
        buffer += "}}]}\n"
        try handle.write(contentsOf: Data(buffer.utf8))
    }

    private func sdmx1(_ path: String) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            """
            import sys, time, sdmx
            start = time.perf_counter()
            message = sdmx.read_sdmx(sys.argv[1])
            count = sum(len(ds.obs) for ds in message.data)
            print(count / (time.perf_counter() - start))
            """, path,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let rate = Double(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw ValidationError("sdmx1 is not installed or failed (pip install sdmx1)") }
        return rate
    }
}
