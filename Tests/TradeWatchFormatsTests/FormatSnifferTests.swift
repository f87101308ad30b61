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

    @Test(
        "The prolog is skipped whatever it holds: markup in a comment, processing instructions, a DOCTYPE subset",
        arguments: [
            ("<?xml version=\"1.0\"?><!-- <p>x</p> <html> --><rss version=\"2.0\">", PayloadKind.rss),
            (
                "<?xml-stylesheet type=\"text/xsl\" href=\"s.xsl\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">",
                .atom
            ),
            ("<!DOCTYPE rss [<!ENTITY a \"x > y\"> <!-- ] > --> ]><rss>", .rss),
            ("<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\" \"http://x/rss.dtd\"><rss>", .rss),
            ("<!-- generated --><!DOCTYPE html><html>", .html),
            ("<?xml version=\"1.0\"?><!-- a comment that never ends", .unknown),
        ])
    func prolog(text: String, kind: PayloadKind) {
        #expect(FormatSniffer.sniff(Data(text.utf8)) == kind)
    }

    @Test("A prolog longer than the window: undecided while it lasts, decided from the root")
    func longProlog() {
        let comment = "<!-- " + String(repeating: "figures, ", count: 1000) + " -->"
        let head = Data(("<?xml version=\"1.0\"?>" + comment).utf8)
        #expect(FormatSniffer.classify(head, complete: false) == nil)
        #expect(FormatSniffer.sniff(head + Data("<rss version=\"2.0\">".utf8)) == .rss)
    }

    @Test("JSON kinds come from the top-level keys, in order, whatever their values hold")
    func jsonTopLevelKeys() throws {
        let folder = FeedFixtureTests.folder
        for (file, kind) in [
            ("sniff-sdmx-json-structure-first.json", PayloadKind.sdmxJSON),
            ("sniff-json-feed-nested-keys.json", .jsonFeed),
        ] {
            let data = try #require(FileManager.default.contents(atPath: folder + file))
            #expect(FormatSniffer.sniff(data) == kind, "\(file)")
        }
        // The first bytes of the SDMX message suffice: its header and structure tell.
        let head = try #require(
            FileManager.default.contents(atPath: folder + "sniff-sdmx-json-structure-first.json")?.prefix(
                FormatSniffer.window))
        #expect(FormatSniffer.sniff(head) == .sdmxJSON)
        // Keys nested in a value are not the document's.
        #expect(
            FormatSniffer.sniff(Data(#"{"notes": {"dataSets": [], "version": "1", "items": []}}"#.utf8)) == .unknown)
        #expect(FormatSniffer.sniff(Data(#"[{"count": 1, "data": [], "error": ""}]"#.utf8)) == .comtradeJSON)
    }
}
