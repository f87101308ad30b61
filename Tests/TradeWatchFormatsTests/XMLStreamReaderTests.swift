import Foundation
import Testing
import TradeWatchFormats

/// Records events as compact text: `<{ns}name a=v>`, `</name>`, and text with runs merged.
final class EventRecorder: XMLStreamHandler {
    var events: [String] = []
    private var pendingText = ""

    func xmlStart(_ name: XMLName, attributes: [XMLAttribute]) {
        flushText()
        let attributeText = attributes.map { " \($0.name)=\($0.value)" }.joined()
        events.append("<\(name)\(attributeText)>")
    }

    func xmlEnd(_ name: XMLName) {
        flushText()
        events.append("</\(name)>")
    }

    func xmlText(_ text: String) { pendingText += text }

    private func flushText() {
        let trimmed = pendingText.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trimmed.isEmpty { events.append(trimmed) }
        pendingText = ""
    }

    var text: String { events.filter { !$0.hasPrefix("<") }.joined(separator: "|") }
}

func read(_ document: String, chunk: Int = 7, encoding: String? = nil) -> (EventRecorder, XMLReport) {
    read(Data(document.utf8), chunk: chunk, encoding: encoding)
}

func read(_ data: Data, chunk: Int = 7, encoding: String? = nil) -> (EventRecorder, XMLReport) {
    let recorder = EventRecorder()
    let reader = XMLStreamReader(handler: recorder, encoding: encoding)
    var offset = 0
    while offset < data.count {
        let end = min(offset + chunk, data.count)
        reader.feed(data.subdata(in: offset..<end))
        offset = end
    }
    return (recorder, reader.finish())
}

@Suite("Streaming XML over libxml2")
struct XMLStreamReaderTests {
    @Test("Elements, namespaces, attributes, text and CDATA arrive in order, whatever the chunk size")
    func events() {
        let document = """
            <?xml version="1.0" encoding="UTF-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom" xmlns:m="urn:media">
              <entry><title type="html">Wigs &amp; hair</title><m:thumb url="a.jpg"/>
              <content><![CDATA[<p>HS 6704</p>]]></content></entry>
            </feed>
            """
        for chunk in [1, 7, 4096] {
            let (recorder, report) = read(document, chunk: chunk)
            #expect(report.wellFormed)
            #expect(report.issues.isEmpty)
            #expect(
                recorder.events == [
                    "<{http://www.w3.org/2005/Atom}feed>", "<{http://www.w3.org/2005/Atom}entry>",
                    "<{http://www.w3.org/2005/Atom}title type=html>", "Wigs & hair",
                    "</{http://www.w3.org/2005/Atom}title>",
                    "<{urn:media}thumb url=a.jpg>", "</{urn:media}thumb>", "<{http://www.w3.org/2005/Atom}content>",
                    "<p>HS 6704</p>", "</{http://www.w3.org/2005/Atom}content>",
                    "</{http://www.w3.org/2005/Atom}entry>",
                    "</{http://www.w3.org/2005/Atom}feed>",
                ], "chunk \(chunk)")
        }
    }

    @Test("An ampersand in an attribute value arrives as one, however it was written; a literal '&#38;' stays")
    func ampersandsInAttributes() {
        let document =
            #"<a href="https://x.example/?a=1&amp;b=2" b="R&#38;D" c="x&#x26;y" d="&amp;#38;" e="&lt;&amp;&gt;"/>"#
        let (recorder, report) = read(document)
        #expect(report.wellFormed)
        #expect(recorder.events.first == "<a href=https://x.example/?a=1&b=2 b=R&D c=x&y d=&#38; e=<&>>")
    }

    @Test("Billion laughs expands nothing and ends at once")
    func billionLaughs() {
        var document = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n"
        for level in 1...9 {
            document +=
                "<!ENTITY lol\(level) \""
                + String(repeating: "&lol\(level - 1 == 0 ? "" : String(level - 1));", count: 10) + "\">\n"
        }
        document += "]>\n<rss><channel><title>&lol9;</title></channel></rss>"
        let started = ContinuousClock.now
        let (recorder, report) = read(document, chunk: 4096)
        // Expanded, the document would be a billion "lol"s: returning at all means it was not.
        #expect(ContinuousClock.now - started < .seconds(60))
        #expect(!recorder.text.contains("lol"))
        #expect(recorder.events.contains("<rss>"))
        #expect(!report.wellFormed)
    }

    @Test("An external entity is never fetched nor read")
    func externalEntity() {
        let document = """
            <?xml version="1.0"?>
            <!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
            <rss><channel><title>&secret;</title></channel></rss>
            """
        let (recorder, report) = read(document)
        #expect(!recorder.text.contains("root:"))
        #expect(recorder.events.contains("<channel>"))
        #expect(!report.wellFormed)
    }

    @Test(
        "Malformed documents are recovered and reported as such",
        arguments: [
            ("<rss><channel><title>Trade & tariffs</title></channel></rss>", "Trade"),
            ("<rss><channel><item><title>Unclosed</channel></rss>", "Unclosed"),
            ("<rss><channel><item><title>Complete</title><title>Truncated fil", "Complete"),
        ])
    func recovery(document: String, expected: String) {
        let (recorder, report) = read(document)
        #expect(!report.wellFormed)
        #expect(!report.issues.isEmpty)
        #expect(recorder.text.contains(expected), "\(recorder.events)")
        #expect(recorder.events.contains("<channel>"))
    }

    @Test("Undeclared HTML entities are read as the characters they name")
    func htmlEntities() {
        let (recorder, report) = read("<rss><title>A&nbsp;B &mdash; C&eacute;</title></rss>")
        #expect(recorder.text == "A\u{a0}B — Cé", "\(recorder.events)")
        #expect(!report.wellFormed)
        #expect(report.issues.first?.description.hasPrefix("line 1, column") == true)
        #expect(report.issues.first?.message.contains("&nbsp;") == true)
    }

    @Test("Declared encodings are decoded: ISO-8859-1, GB2312, EUC-KR, Shift_JIS, UTF-16")
    func encodings() throws {
        let cases: [(String, String.Encoding, String)] = [
            ("ISO-8859-1", .isoLatin1, "Café"),
            ("UTF-16", .utf16, "朝鲜 貿易"),
        ]
        for (name, encoding, text) in cases {
            let document = "<?xml version=\"1.0\" encoding=\"\(name)\"?><t>\(text)</t>"
            let data = try #require(document.data(using: encoding))
            let (recorder, report) = read(data)
            #expect(recorder.text == text, "\(name)")
            #expect(report.wellFormed, "\(name): \(report.issues)")
        }
        // Bytes produced by the platform's converters for the CJK encodings.
        let cjk: [(String, [UInt8], String)] = [
            ("GB2312", [0xB3, 0xAF, 0xCF, 0xCA], "朝鲜"),
            ("EUC-KR", [0xC1, 0xB6, 0xBC, 0xB1], "조선"),
            ("Shift_JIS", [0x92, 0xA9, 0x91, 0x4E], "朝鮮"),
        ]
        for (name, bytes, text) in cjk {
            let data = Data("<?xml version=\"1.0\" encoding=\"\(name)\"?><t>".utf8) + Data(bytes) + Data("</t>".utf8)
            let (recorder, report) = read(data)
            #expect(recorder.text == text, "\(name)")
            #expect(report.wellFormed, "\(name): \(report.issues)")
        }
    }

    @Test("Windows code pages and the wider CJK encodings publishers use")
    func moreEncodings() {
        let cases: [(String, [UInt8], String)] = [
            ("windows-1252", [0x93, 0x43, 0x61, 0x66, 0xE9, 0x94, 0x20, 0x80], "“Café” €"),
            ("windows-1251", [0xCA, 0xCD, 0xC4, 0xD0], "КНДР"),
            ("GBK", [0xB3, 0xAF, 0xCF, 0xCA, 0x81, 0x40], "朝鲜丂"),
            ("GB18030", [0xB3, 0xAF, 0xCF, 0xCA], "朝鲜"),
            ("CP949", [0xC1, 0xB6, 0xBC, 0xB1, 0x81, 0x41], "조선갂"),
        ]
        for (name, bytes, text) in cases {
            let data = Data("<?xml version=\"1.0\" encoding=\"\(name)\"?><t>".utf8) + Data(bytes) + Data("</t>".utf8)
            let (recorder, report) = read(data)
            #expect(recorder.text == text, "\(name)")
            #expect(report.wellFormed, "\(name): \(report.issues)")
        }
    }

    @Test("Invalid byte sequences are reported, never fatal: the rest of the document still arrives")
    func invalidBytes() {
        let data = Data("<rss><a>ok</a><b>".utf8) + Data([0xC3, 0x28, 0xFF]) + Data("</b><c>after</c></rss>".utf8)
        let (recorder, report) = read(data)
        #expect(!report.wellFormed)
        #expect(recorder.events.contains("<a>"))
        #expect(recorder.text.hasPrefix("ok"))
        #expect(recorder.text.hasSuffix("after"), "\(recorder.events)")
    }

    @Test("An encoding from outside (the HTTP charset) overrides the declaration, but not a BOM")
    func outsideEncoding() {
        let latin1 =
            Data("<?xml version=\"1.0\" encoding=\"UTF-8\"?><t>".utf8) + Data([0x43, 0x61, 0x66, 0xE9])
            + Data("</t>".utf8)
        #expect(read(latin1, encoding: "ISO-8859-1").0.text == "Café")
        let bom = Data([0xEF, 0xBB, 0xBF]) + Data("<t>Café</t>".utf8)
        #expect(read(bom, encoding: "ISO-8859-1").0.text == "Café")
    }

    @Test("Something that is not XML at all reports no elements")
    func notXML() {
        let (_, report) = read("just some words, no markup")
        #expect(report.elements == 0)
        #expect(!report.wellFormed)
    }
}
