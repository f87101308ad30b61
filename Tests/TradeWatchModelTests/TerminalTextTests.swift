import Testing
import TradeWatchModel

/// An input and its escape, named in the test log by the escape (the raw input would act on
/// the terminal that shows the log).
struct EscapeCase: CustomTestStringConvertible, Sendable {
    var input: String
    var expected: String

    var testDescription: String { expected }
}

@Suite("Publisher text is shown with its control and bidi characters as visible escapes")
struct TerminalTextTests {
    @Test(
        "Each kind of control becomes a visible escape on one line",
        arguments: [
            ("\u{1b}]0;owned\u{07}", "\\x1b]0;owned\\x07"),  // OSC: sets the window title
            (
                "\u{1b}]8;;https://evil.example\u{07}click\u{1b}]8;;\u{07}",
                "\\x1b]8;;https://evil.example\\x07click\\x1b]8;;\\x07"
            ),
            ("\u{1b}[2J", "\\x1b[2J"),  // CSI: clears the screen
            ("a\rb", "a\\rb"),
            ("a\u{08}b\u{7f}", "a\\x08b\\x7f"),
            ("\u{00}\u{1f}", "\\x00\\x1f"),
            ("\u{9b}31m\u{85}", "\\x9b31m\\x85"),  // C1: CSI and NEL as code points
            ("abc\u{202e}def", "abc\\u202edef"),
            ("\u{061c}\u{200e}\u{200f}\u{202a}\u{2066}\u{2069}", "\\u061c\\u200e\\u200f\\u202a\\u2066\\u2069"),
            ("one\u{2028}two\u{2029}", "one\\u2028two\\u2029"),
            ("line\nforged\tcell", "line\\nforged\\tcell"),
        ].map(EscapeCase.init))
    func escapes(_ example: EscapeCase) {
        let escaped = TerminalText.line(example.input)
        #expect(escaped == example.expected)
        #expect(!escaped.unicodeScalars.contains(where: TerminalText.needsEscape))
    }

    @Test("Ordinary text, accents, CJK, emoji and backslashes are left as they are; escaping twice changes nothing")
    func ordinary() {
        for text in ["Wig exports rise 25 %", "Zoll — Perücken", "朝鲜 假发 출口", "👩🏽‍🔬 é", #"C:\Data\x1b"#, ""] {
            #expect(TerminalText.line(text) == text)
        }
        let hostile = "\u{1b}[31mred\u{202e}\n"
        #expect(TerminalText.line(TerminalText.line(hostile)) == TerminalText.line(hostile))
    }

    @Test("A block keeps its line breaks and tabs, indents its further lines and escapes the rest")
    func block() {
        #expect(TerminalText.block("first\n\tsecond\r\u{1b}[2J", indent: "    ") == "first\n    \tsecond\\r\\x1b[2J")
        #expect(TerminalText.block("\u{2028}") == "\\u2028")
    }

    @Test("Truncation counts the escaped text and never cuts an escape or a character")
    func truncation() {
        #expect(TerminalText.line("short", limit: 10) == "short")
        #expect(TerminalText.line("exactly10!", limit: 10) == "exactly10!")
        #expect(TerminalText.line("eleven char", limit: 10) == "eleven ch…")
        // "abcdef" + "\x1b" is 10 characters: the escape does not fit before the ellipsis, so it goes whole.
        #expect(TerminalText.line("abcdef\u{1b}[2J", limit: 10) == "abcdef…")
        #expect(TerminalText.line("abcde\u{1b}[2J", limit: 10) == "abcde\\x1b…")
        #expect(TerminalText.line("\u{202e}\u{202e}\u{202e}", limit: 12) == "\\u202e…")
        // A family emoji is one character: kept whole or left out, never split into its scalars.
        #expect(TerminalText.line("ab👨‍👩‍👧cd", limit: 4) == "ab👨‍👩‍👧…")
        #expect(TerminalText.line("e\u{301}e\u{301}e\u{301}", limit: 2) == "e\u{301}…")
        #expect(TerminalText.line("anything", limit: 0) == "")
        for limit in 1...30 {
            let cut = TerminalText.line("\u{1b}]0;title\u{07}\u{9b}\u{202e}x", limit: limit)
            #expect(cut.count <= limit)
            #expect(!cut.contains("\\x1…") && !cut.contains("\\u20…") && !cut.contains("\\x…"))
        }
    }
}
