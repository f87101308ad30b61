import Testing
import TradeWatchSync

@Suite("Where the cache lives")
struct CachePathTests {
    @Test("TRADEWATCH_DB, then systemd's STATE_DIRECTORY, then the system cache, then XDG")
    func precedence() {
        let home = ["HOME": "/home/analyst"]
        #expect(CachePath.resolve(environment: home) == "/home/analyst/.local/state/tradewatch/cache.db")
        #expect(
            CachePath.resolve(environment: home.merging(["XDG_STATE_HOME": "/x"]) { $1 }) == "/x/tradewatch/cache.db")
        #expect(CachePath.resolve(environment: home, fileExists: { $0 == CachePath.system }) == CachePath.system)
        #expect(
            CachePath.resolve(environment: ["STATE_DIRECTORY": "/var/lib/tradewatch:/var/lib/other"])
                == "/var/lib/tradewatch/cache.db")
        #expect(CachePath.resolve(environment: ["TRADEWATCH_DB": "/tmp/c.db", "STATE_DIRECTORY": "/s"]) == "/tmp/c.db")
    }
}
