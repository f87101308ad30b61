import Testing
import TradeWatchModel

@Suite("SHA-256")
struct SHA256Tests {
    @Test("Known vectors from FIPS 180-2")
    func vectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("Hashing in pieces gives the same digest as hashing at once")
    func incremental() {
        let text = String(repeating: "tradewatch ", count: 1000)
        var hasher = SHA256()
        for chunk in Array(text.utf8).chunked(by: 37) { hasher.update(chunk) }
        #expect(hasher.finalizeHex() == SHA256.hex(text))
    }
}

extension Array {
    func chunked(by size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
