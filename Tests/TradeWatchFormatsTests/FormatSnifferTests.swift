import Foundation
import Testing
import TradeWatchFormats

@Suite("Telling formats apart from their content")
struct FormatSnifferTests {
    @Test(
        "Each kind is recognised from its first bytes",
        arguments: [
            ("<?xml version=\"1.0\"?>\n<!-- c -->\n<rss version=\"2.0\"><channel>", PayloadKind.rss),
            ("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">", .rdf),
            ("\u{feff}<?xml version='1.0'?><feed xmlns=\"http://www.w3.org/2005/Atom\">", .atom),
            ("{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"x\"}", .jsonFeed),
            (
                "<?xml version=\"1.0\"?><message:GenericData xmlns:message=\"http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message\">",
                .sdmxML
            ),
            ("<mes:StructureSpecificData xmlns:mes=\"x\">", .sdmxML),
            ("{\"meta\": {}, \"data\": {\"dataSets\": []}}", .sdmxJSON),
            ("{\"elapsedTime\":\"0.1 secs\",\"count\":2,\"data\":[]}", .comtradeJSON),
            ("<!DOCTYPE html><html><head>", .html),
            ("<html lang=\"en\">", .html),
            ("REF_AREA,TIME_PERIOD,OBS_VALUE\nCN,2019,1\nKP,2019,2\n", .csv),
            ("plain words, nothing else", .unknown),
        ])
    func sniff(text: String, kind: PayloadKind) {
        #expect(FormatSniffer.sniff(Data(text.utf8)) == kind)
    }

    @Test("UTF-16 documents are recognised through their byte order mark")
    func utf16() {
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in "<rss version=\"2.0\">".utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        #expect(FormatSniffer.sniff(Data(bytes)) == .rss)
    }
}
