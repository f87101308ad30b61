import Foundation
import TradeWatchModel

/// A deterministic statistics source: monthly trade figures for reporter × partner × flow ×
/// commodity series, 60 months each, as a customs office would publish them.
struct SyntheticStatistics {
    let seriesCount: Int
    let periods: [Period]
    private let series: [SeriesKey]

    init(observations: Int) {
        periods = (2015...2019).flatMap { year in (1...12).map { Period("\(year)-\($0 < 10 ? "0" : "")\($0)") } }
        seriesCount = max(1, observations / periods.count)
        series = (0..<seriesCount).map { SyntheticStatistics.key($0) }
    }

    static func key(_ index: Int) -> SeriesKey {
        SeriesKey([
            SeriesKey.Dimension(id: "FREQ", value: "M"),
            SeriesKey.Dimension(id: "REPORTER", value: String(100 + index % 37)),
            SeriesKey.Dimension(id: "PARTNER", value: String(400 + (index / 37) % 11)),
            SeriesKey.Dimension(id: "FLOW", value: index % 2 == 0 ? "M" : "X"),
            SeriesKey.Dimension(id: "CMD", value: String(100_000 + index / 814)),
        ])
    }

    var count: Int { seriesCount * periods.count }

    /// The observation at `index` in round `round`: in each later round a stable 1% of the
    /// figures are revised.
    func observation(_ index: Int, round: Int = 0, dataset: String = "TRADE") -> Observation {
        let s = index / periods.count
        let p = index % periods.count
        var value = (s &* 7919 &+ p &* 104_729) % 1_000_000
        if round > 0 && index % 100 == round % 100 { value += round }
        return Observation(
            dataset: dataset, series: series[s], period: periods[p], value: String(value), unit: "USD",
            status: p >= periods.count - 3 ? "P" : "A")
    }

    func all(round: Int = 0) -> [Observation] {
        (0..<count).map { observation($0, round: round) }
    }
}

/// A generated SDMX-ML 2.1 structure message made mostly of codelists: lists of 10,000 codes,
/// each named in English and French and with a parent, as HS and area lists are, then a data
/// structure and a dataflow that use the first of them.
enum SyntheticStructure {
    static let codesPerList = 10_000

    /// Writes about `megabytes` MB to `path`; returns the number of codes written.
    static func write(path: String, megabytes: Int) throws -> Int {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var buffer = """
            <?xml version="1.0" encoding="UTF-8"?>
            <m:Structure xmlns:m="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" \
            xmlns:s="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure" \
            xmlns:c="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common">
            <m:Header><m:ID>BENCH</m:ID><m:Test>false</m:Test><m:Prepared>2019-07-01T00:00:00Z</m:Prepared>\
            <m:Sender id="BENCH"/></m:Header>
            <m:Structures><s:Codelists>

            """
        let target = megabytes * 1_000_000 - 4_000
        var written = 0
        var lists = 0
        var codes = 0
        while written + buffer.utf8.count < target {
            buffer += """
                <s:Codelist id="CL_\(lists)" agencyID="BENCH" version="1.0"><c:Name xml:lang="en">List \(lists)</c:Name>\
                <c:Name xml:lang="fr">Liste \(lists)</c:Name>

                """
            for code in 0..<codesPerList {
                let parent = code < 100 ? "" : "<s:Parent><Ref id=\"\(code / 100)\"/></s:Parent>"
                buffer += """
                    <s:Code id="\(code)"><c:Name xml:lang="en">Articles of heading \(code) of list \(lists), \
                    of human or animal hair or of textile materials</c:Name><c:Name xml:lang="fr">Ouvrages de la \
                    position \(code) de la liste \(lists), en cheveux, poils ou matières textiles</c:Name>\(parent)</s:Code>

                    """
                codes += 1
                if buffer.utf8.count > 1 << 20 {
                    written += buffer.utf8.count
                    try handle.write(contentsOf: Data(buffer.utf8))
                    buffer = ""
                    if written >= target { break }
                }
            }
            buffer += "</s:Codelist>\n"
            lists += 1
        }
        let dimensions = (0..<min(lists, 4)).map { index in
            """
            <s:Dimension id="DIM_\(index)" position="\(index + 1)"><s:ConceptIdentity><Ref id="DIM_\(index)" \
            maintainableParentID="CONCEPTS" maintainableParentVersion="1.0" agencyID="BENCH"/></s:ConceptIdentity>\
            <s:LocalRepresentation><s:Enumeration><Ref id="CL_\(index)" agencyID="BENCH" version="1.0"/>\
            </s:Enumeration></s:LocalRepresentation></s:Dimension>
            """
        }
        buffer += """
            </s:Codelists><s:DataStructures><s:DataStructure id="BENCH" agencyID="BENCH" version="1.0">\
            <c:Name xml:lang="en">Benchmark</c:Name><s:DataStructureComponents><s:DimensionList>\
            \(dimensions.joined())<s:TimeDimension id="TIME_PERIOD"/></s:DimensionList><s:MeasureList>\
            <s:PrimaryMeasure id="OBS_VALUE"/></s:MeasureList></s:DataStructureComponents></s:DataStructure>\
            </s:DataStructures><s:Dataflows><s:Dataflow id="BENCH_FLOW" agencyID="BENCH" version="1.0">\
            <c:Name xml:lang="en">Benchmark flow</c:Name><s:Structure><Ref id="BENCH" agencyID="BENCH" \
            version="1.0"/></s:Structure></s:Dataflow></s:Dataflows></m:Structures></m:Structure>

            """
        try handle.write(contentsOf: Data(buffer.utf8))
        return codes
    }
}
