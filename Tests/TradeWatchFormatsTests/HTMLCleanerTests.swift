import Testing
import TradeWatchFormats

@Suite("Feed HTML made safe, and made text")
struct HTMLCleanerTests {
    @Test("Scripts, styles, event handlers and javascript: URLs go; allowed markup stays; relative URLs resolve")
    func sanitize() {
        let html = """
            <p onclick="steal()">Wig exports <b>rose</b> &amp; <a href="/stats?hs=6704" onmouseover="x()">see</a>
            <a href="javascript:alert(1)">bad</a><img src="chart.png" onerror="x()" alt="chart">
            <script>alert('x')</script><style>p{}</style><iframe src="https://evil"><p>inside</p></iframe></p>
            """
        let result = HTMLCleaner.clean(html, base: "https://example.org/news/")
        #expect(!result.sanitized.contains("script"))
        #expect(!result.sanitized.contains("onclick"))
        #expect(!result.sanitized.contains("onerror"))
        #expect(!result.sanitized.contains("javascript"))
        #expect(!result.sanitized.contains("iframe"))
        #expect(!result.sanitized.contains("inside"))
        #expect(result.sanitized.contains("<b>rose</b> &amp; <a href=\"https://example.org/stats?hs=6704\">see</a>"))
        #expect(result.sanitized.contains("<a>bad</a>"))
        #expect(result.sanitized.contains("<img src=\"https://example.org/news/chart.png\" alt=\"chart\">"))
    }

    @Test("Plain text keeps words and paragraph breaks, decodes entities, drops hidden content")
    func plainText() {
        let result = HTMLCleaner.clean(
            "<h1>Trade</h1><p>North&nbsp;Korea &mdash; China</p><script>x=1</script><ul><li>wigs</li><li>coal</li></ul>"
        )
        #expect(result.text == "Trade\nNorth Korea — China\nwigs\ncoal")
    }

    @Test("Broken markup is recovered")
    func broken() {
        let result = HTMLCleaner.clean("<p>unclosed <b>bold <i>both</p> after")
        #expect(result.text.contains("unclosed bold both"))
        #expect(result.text.contains("after"))
        #expect(result.sanitized.hasPrefix("<p>unclosed <b>bold <i>both</i></b></p>"))
    }
}

@Suite("Text for the search index")
struct SearchTextOfHTMLTests {
    @Test(
        "Markup-free text only has its whitespace collapsed; markup and entities go through the HTML parser",
        arguments: [
            ("Customs figures, heading 6704.", "Customs figures, heading 6704."),
            ("  two\n\tlines  here ", "two lines here"),
            ("", ""),
            ("   ", ""),
            ("a  b", "a b"),
            ("Caf&eacute; <b>owners</b>", "Café owners"),
            ("x<script>hidden()</script>y", "xy"),
        ])
    func text(html: String, expected: String) {
        #expect(HTMLCleaner.text(html) == expected, "\(html)")
    }
}
