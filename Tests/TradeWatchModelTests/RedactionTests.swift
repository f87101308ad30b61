import Foundation
import Testing
import TradeWatchModel

@Suite("Secrets never show")
struct RedactionTests {
    @Test(
        "Keys in query parameters and passwords in URLs become ***",
        arguments: [
            (
                "https://comtradeapi.un.org/data/v1/get/C/M/HS?reporterCode=156&subscription-key=abc123&period=2019",
                "https://comtradeapi.un.org/data/v1/get/C/M/HS?reporterCode=156&subscription-key=***&period=2019"
            ),
            ("http://user:hunter2@example.org/feed?API_KEY=x#top", "http://user:***@example.org/feed?API_KEY=***#top"),
            ("http://user@example.org/a?b=c", "http://user@example.org/a?b=c"),
            ("https://example.org/feed.xml", "https://example.org/feed.xml"),
            ("https://example.org/?key", "https://example.org/?key"),
        ])
    func urls(input: String, expected: String) {
        #expect(Redaction.url(input) == expected)
    }

    @Test("A secret quoted inside an error message is hidden too")
    func text() {
        #expect(
            Redaction.text("401 for key s3cr3tvalue at s3cr3tvalue", hiding: ["s3cr3tvalue"])
                == "401 for key *** at ***")
    }

    @Test(
        "Every form a server may echo a secret in is hidden",
        arguments: [
            "SeKr1tKEYab+/Cd=Ef",  // raw
            "SeKr1tKEYab%2B/Cd%3DEf",  // percent-encoded as in a path, upper-case hex
            "SeKr1tKEYab%2b%2fCd%3dEf",  // lower-case hex, everything encoded
            "SeKr1tKEYab%2B%2FCd%3DEf",
            "U2VLcjF0S0VZYWIrL0NkPUVm",  // base64 (18 bytes: no padding either way)
            "U2VLcjF0S0VZYWIrL0NkPUVm",
        ])
    func forms(echoed: String) {
        let text = Redaction.text("error: bad key \(echoed)!", hiding: ["SeKr1tKEYab+/Cd=Ef"])
        #expect(text == "error: bad key ***!")
    }

    @Test("Base64 with padding, URL-safe, unpadded, and inside a longer base64 text; form encoding of a space")
    func base64AndForm() {
        let secret = "p4ss w?rd>>"
        let bytes = Array(secret.utf8)
        let standard = [UInt8](secret.utf8).base64()
        #expect(standard.hasSuffix("="))
        let urlSafe = standard.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        for form in [standard, urlSafe, String(urlSafe.dropLast())] {
            #expect(Redaction.text("[\(form)]", hiding: [secret]) == "[***]", "\(form)")
        }
        // "user:" before the secret in an Authorization header: the secret's own characters
        // in the middle of the encoding are still found.
        let basic = (Array("user:".utf8) + bytes).base64()
        #expect(!Redaction.text(basic, hiding: [secret]).contains(String(basic.dropFirst(8).prefix(8))))
        #expect(Redaction.text("q=p4ss+w%3frd%3E%3e", hiding: [secret]) == "q=***")
    }

    @Test("A secret split across chunks is found; the stream comes out whole otherwise")
    func chunks() {
        let secret = "SeKr1tKEYab+/Cd=Ef"
        let text = Array("head SeKr1tKEYab%2B/Cd%3DEf middle U2VLcjF0S0VZYWIrL0NkPUVm tail".utf8)
        for size in [1, 2, 3, 7, 64] {
            var redactor = SecretRedactor(secrets: [secret])
            var out: [UInt8] = []
            var index = 0
            while index < text.count {
                out += redactor.redact(text[index..<min(index + size, text.count)])
                index += size
            }
            out += redactor.finish()
            #expect(String(decoding: out, as: UTF8.self) == "head *** middle *** tail", "chunks of \(size)")
            #expect(redactor.replacements == 2)
        }
        #expect(Redaction.text("nothing here", hiding: [secret]) == "nothing here")
    }

    @Test("Secrets written in a URL: secret query values, decoded too, and the password")
    func secretsInURL() {
        let found = Redaction.secrets(inURL: "https://u:pa%20ss@h.example/p?a=1&api_key=k%2Bey1234&key=abc#f")
        #expect(found == ["k%2Bey1234", "k+ey1234", "pa%20ss", "pa ss"])
    }
}

extension [UInt8] {
    fileprivate func base64() -> String {
        Foundation.Data(self).base64EncodedString()
    }
}
