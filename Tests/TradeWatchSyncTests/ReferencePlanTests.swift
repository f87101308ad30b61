import Testing
import TradeWatchSync

/// Where a source's structure is asked for: the SDMX REST dataflow query with its references,
/// built from the configuration as the services document it (2.1 and 3.0).
@Suite("Reference documents: which, and where")
struct ReferencePlanTests {
    func sdmx(_ configure: (inout SDMXSource) -> Void) -> SourceConfiguration {
        var sdmx = SDMXSource()
        configure(&sdmx)
        return SourceConfiguration(name: "s", kind: .sdmx(sdmx))
    }

    @Test(
        "SDMX 2.1 and 3.0 dataflow queries, the flow's missing parts as the wildcards each version uses",
        arguments: [
            ("2.1", "ECB,EXR,1.0", "https://x.example/service/dataflow/ECB/EXR/1.0?references=all"),
            ("2.1", "IMF,DOT", "https://x.example/service/dataflow/IMF/DOT/latest?references=all"),
            ("2.1", "TRADE_CN_KP", "https://x.example/service/dataflow/all/TRADE_CN_KP/latest?references=all"),
            (
                "3.0", "IMF.STA,IMTS,1.0.0",
                "https://x.example/service/structure/dataflow/IMF.STA/IMTS/1.0.0?references=all"
            ),
            ("3.0", "IMTS", "https://x.example/service/structure/dataflow/*/IMTS/~?references=all"),
        ])
    func structureURLs(api: String, flow: String, expected: String) {
        let source = sdmx {
            $0.baseURL = "https://x.example/service/"
            $0.flow = flow
            $0.api = SDMXSource.API(rawValue: api) ?? .v2_1
        }
        let documents = ReferencePlanner.documents(for: source)
        #expect(documents.count == 1 && documents.first?.name.hasPrefix("structure:") == true)
        #expect(documents.first?.request.url == expected)
        #expect(documents.first?.request.conditional == true)
        #expect(documents.first?.request.headers.first?.value.contains("vnd.sdmx.structure+xml") == true)
    }

    @Test("A whole data URL: the structure query on the same service, for the flow the URL names")
    func wholeURL() throws {
        let v21 = sdmx {
            $0.url = "https://data-api.ecb.europa.eu/service/data/ECB,EXR,1.0/M.USD.EUR.SP00.A?startPeriod=2020"
        }
        #expect(
            ReferencePlanner.structureURL(try #require(Self.sdmxOf(v21)))
                == "https://data-api.ecb.europa.eu/service/dataflow/ECB/EXR/1.0?references=all")
        let v30 = sdmx {
            $0.url = "https://api.example/sdmx/3.0/data/dataflow/IMF.STA/IMTS/1.0.0/M.CN..?c[TIME_PERIOD]=ge:2020"
        }
        #expect(
            ReferencePlanner.structureURL(try #require(Self.sdmxOf(v30)))
                == "https://api.example/sdmx/3.0/structure/dataflow/IMF.STA/IMTS/1.0.0?references=all")
        // A URL that names no flow has no structure to ask for: the data are still read.
        let opaque = sdmx { $0.url = "https://stats.example/download?id=42" }
        #expect(ReferencePlanner.documents(for: opaque).isEmpty)
    }

    @Test("structure_url is used as given; structure = false asks for nothing; feeds and CSV have none")
    func configured() {
        let given = sdmx {
            $0.baseURL = "https://x.example"
            $0.flow = "F"
            $0.structureURL = "https://x.example/custom/dsd.xml"
        }
        #expect(ReferencePlanner.documents(for: given).first?.request.url == "https://x.example/custom/dsd.xml")
        let off = sdmx {
            $0.baseURL = "https://x.example"
            $0.flow = "F"
            $0.structure = false
        }
        #expect(ReferencePlanner.documents(for: off).isEmpty)
        #expect(
            ReferencePlanner.documents(
                for: SourceConfiguration(name: "f", kind: .feed(FeedSource(url: "https://x.example/f.xml")))
            ).isEmpty)
        #expect(
            ReferencePlanner.documents(
                for: SourceConfiguration(name: "c", kind: .csv(CSVSource(url: "https://x.example/c.csv", dataset: "D")))
            ).isEmpty)
    }

    static func sdmxOf(_ source: SourceConfiguration) -> SDMXSource? {
        if case .sdmx(let sdmx) = source.kind { return sdmx }
        return nil
    }
}
