import Foundation
import Logging
import TestSupport
import Testing
import TradeWatchCache
import TradeWatchFetch
import TradeWatchModel
import TradeWatchSync

/// The engine against the publisher simulator on loopback and a real cache file.
@Suite("Syncing sources: fetch, validators, parse, reconcile, record")
struct SyncEngineTests {
    let directory = TemporaryDirectory()
    let publisher: Publisher
    let cache: SQLiteCache
    let engine: SyncEngine
    let daemon: DaemonSettings

    init() throws {
        publisher = try Publisher()
        cache = try SQLiteCache(path: directory.file("cache.db"))
        engine = SyncEngine(
            cache: cache, fetcher: try Fetcher(), logger: Logger(label: "test"),
            environment: ["TEST_COMTRADE_KEY": "secret-key-123"])
        var daemon = DaemonSettings()
        daemon.retryBase = .seconds(60)
        daemon.retryCap = .seconds(3600)
        daemon.interval = .seconds(1800)
        daemon.jitter = .zero
        self.daemon = daemon
    }

    func source(_ name: String, _ kind: SourceKind, credential: Credential? = nil) -> SourceConfiguration {
        SourceConfiguration(name: name, kind: kind, credential: credential)
    }

    @Test("A feed: new, then 304, then a round's new, edited and removed articles")
    func feedAcrossRounds() async throws {
        let feed = source("news", .feed(FeedSource(url: publisher.url("/feeds/korea-trade.rss"))))
        let before = Date()
        let first = await engine.sync(feed, daemon: daemon, random: 0)
        #expect(first.outcome == .changed)
        #expect(first.revision?.added == 12)
        // Due one interval (30 minutes, no jitter) after the sync.
        #expect(first.nextDue >= before.addingTimeInterval(1800) && first.nextDue <= Date().addingTimeInterval(1800))

        let second = await engine.sync(feed, daemon: daemon)
        #expect(second.outcome == .notModified)
        #expect(second.revision == nil)

        try await publisher.advance()
        let third = await engine.sync(feed, daemon: daemon)
        #expect(third.outcome == .changed)
        #expect(third.revision?.added == 2)
        #expect(third.revision?.changed == 1)
        #expect(third.revision?.removed == 1)
        let diff = try cache.diff(from: try #require(first.revision?.id), to: try #require(third.revision?.id))
        let edited = try #require(diff.entries.first { $0.kind == .changed })
        #expect(edited.changedFields.contains("title"))
        #expect(edited.new?.entry.title?.hasSuffix("(updated)") == true)
        #expect(try cache.status().first?.entries == 13)
    }

    @Test("Statistics of every kind: revisions, P → A flags and withdrawn rows across a round")
    func statisticsAcrossRounds() async throws {
        let base = publisher.base
        var csv = CSVSource(url: base + "/csv/cn-kp-trade.csv", dataset: "CUSTOMS")
        csv.delimiter = UInt8(ascii: ";")
        csv.decimalSeparator = UInt8(ascii: ",")
        csv.dimensions = [
            .init(column: "Flow", id: "FLOW"), .init(column: "HS", id: "CMD"),
        ]
        csv.period = "Month"
        csv.value = "Value"
        csv.flags = "Flag"
        var comtrade = ComtradeSource()
        comtrade.baseURL = base + "/comtrade"
        comtrade.reporters = ["156"]
        comtrade.partners = ["408"]
        comtrade.commodities = ["TOTAL", "6704"]
        comtrade.flows = ["M", "X"]
        comtrade.periods = (1...12).map { String(format: "2019%02d", $0) }
        comtrade.periodsPerCall = 5
        var sdmxML = SDMXSource()
        sdmxML.baseURL = base + "/sdmx"
        sdmxML.flow = "PUB,TRADE_CN_KP,1.0"
        var sdmxJSON = sdmxML
        sdmxJSON.format = .json
        let sources = [
            source("csv", .csv(csv)),
            source("comtrade", .comtrade(comtrade), credential: .environment("TEST_COMTRADE_KEY")),
            source("sdmx-ml", .sdmx(sdmxML)), source("sdmx-json", .sdmx(sdmxJSON)),
        ]
        var firsts: [String: Int64] = [:]
        for source in sources {
            let outcome = await engine.sync(source, daemon: daemon)
            #expect(outcome.outcome == .changed, "\(source.name): \(outcome.summaryLine)")
            firsts[source.name] = outcome.revision?.id
        }
        // Comtrade's 12 months in calls of 5 become one fetch and one revision.
        let comtradeRevisions = try cache.log(sources: ["comtrade"]).filter { $0.added + $0.changed + $0.removed > 0 }
        #expect(comtradeRevisions.count == 1)

        try await publisher.advance()
        for source in sources {
            let outcome = await engine.sync(source, daemon: daemon)
            #expect(outcome.outcome == .changed, "\(source.name): \(outcome.summaryLine)")
            let revision = try #require(outcome.revision)
            #expect(revision.changed > 0, "\(source.name)")
            let diff = try cache.diff(from: try #require(firsts[source.name]), to: revision.id)
            if source.name != "comtrade" {
                // Provisional months become final: the flag change is in the diff.
                #expect(
                    diff.observations.contains {
                        $0.kind == .changed && $0.old?.status == "P" && $0.new?.status == "A"
                    },
                    "\(source.name)")
                #expect(revision.added > 0, "\(source.name)")
            }
        }
        let csvDiff = try cache.diff(from: try #require(firsts["csv"]), to: try cache.resolve(.latest))
        #expect(csvDiff.observations.contains { $0.kind == .removed && $0.source == "csv" })
        #expect(try cache.verify().passed)
    }

    @Test("An identical payload without validators is 'unchanged' and parses nothing")
    func samePayload() async throws {
        var comtrade = ComtradeSource()
        comtrade.baseURL = publisher.base + "/comtrade"
        comtrade.reporters = ["156"]
        comtrade.periods = ["201901"]
        comtrade.preview = true
        let preview = source("preview", .comtrade(comtrade))
        #expect(await engine.sync(preview, daemon: daemon).outcome == .changed)
        let again = await engine.sync(preview, daemon: daemon)
        #expect(again.outcome == .unchanged)
        // One revision of figures (the reference lists that name their codes have their own).
        #expect(try cache.log(sources: ["preview"]).filter { $0.added + $0.changed + $0.removed > 0 }.count == 1)
    }

    @Test("A failing source is recorded with a clear error and backs off; the next success resets it")
    func failures() async throws {
        let html = source("login-page", .feed(FeedSource(url: publisher.url("/hostile/html"))))
        let before = Date()
        let first = await engine.sync(html, daemon: daemon)
        let after = Date()
        #expect(first.outcome == .failed)
        #expect(first.errorCode == .notAFeed)
        #expect(first.errorMessage?.contains("the server sent an HTML page") == true)
        #expect(first.nextDue >= before.addingTimeInterval(60) && first.nextDue <= after.addingTimeInterval(60))
        let secondStart = Date()
        let second = await engine.sync(html, daemon: daemon)
        #expect(
            second.nextDue >= secondStart.addingTimeInterval(120) && second.nextDue <= Date().addingTimeInterval(120))
        let state = try #require(try cache.syncState(source: "login-page"))
        #expect(state.consecutiveFailures == 2)
        #expect(try cache.status().first { $0.name == "login-page" }?.lastErrorCode == SyncErrorCode.notAFeed.rawValue)

        let limited = await engine.sync(
            source("busy", .feed(FeedSource(url: publisher.url("/hostile/429")))), daemon: daemon)
        #expect(limited.errorCode == .rateLimited)
        #expect(limited.nextDue.timeIntervalSinceNow > 3500)

        let broken = await engine.sync(
            source("cut", .feed(FeedSource(url: publisher.url("/hostile/500")))), daemon: daemon)
        #expect(broken.errorCode == .httpStatus)
        #expect(try cache.verify().passed)
    }

    @Test("A missing credential and a wrong period format fail loudly, naming the cause")
    func credentialsAndPeriods() async throws {
        var comtrade = ComtradeSource()
        comtrade.baseURL = publisher.base + "/comtrade"
        comtrade.reporters = ["156"]
        comtrade.periods = ["201901"]
        let noKey = await engine.sync(
            source("no-key", .comtrade(comtrade), credential: .environment("ABSENT_KEY")), daemon: daemon)
        #expect(noKey.errorCode == .credential)
        #expect(noKey.errorMessage?.contains("ABSENT_KEY") == true)

        comtrade.periods = ["2019"]  // annual code on the monthly endpoint: the publisher says 400
        let wrong = await engine.sync(
            source("wrong-period", .comtrade(comtrade), credential: .environment("TEST_COMTRADE_KEY")), daemon: daemon)
        #expect(wrong.outcome == .failed)
        #expect(wrong.errorMessage == "the server answered HTTP 400: Invalid period: expected YYYYMM for monthly data")
        #expect(wrong.errorMessage?.contains("secret-key-123") == false)
        let stored = try cache.status().first { $0.name == "wrong-period" }
        #expect(stored?.lastErrorMessage?.contains("secret-key-123") == false)
    }

    @Test("A permanent redirect is remembered and used from then on")
    func permanentRedirect() async throws {
        let moved = source("moved", .feed(FeedSource(url: publisher.url("/moved/feeds/border-news.atom"))))
        #expect(await engine.sync(moved, daemon: daemon).outcome == .changed)
        let state = try #require(try cache.syncState(source: "moved"))
        #expect(state.urlOverride == publisher.url("/feeds/border-news.atom"))
        #expect(await engine.sync(moved, daemon: daemon).outcome == .notModified)
    }

    @Test("A truncated SDMX message fails and removes nothing")
    func truncatedStatistics() async throws {
        var sdmx = SDMXSource()
        sdmx.baseURL = publisher.base + "/sdmx"
        sdmx.flow = "TRADE_CN_KP"
        let good = await engine.sync(source("imf", .sdmx(sdmx)), daemon: daemon)
        let rows = try cache.status().first { $0.name == "imf" }?.observations
        #expect(good.outcome == .changed)
        var broken = sdmx
        broken.url = publisher.url("/hostile/truncated")
        let bad = await engine.sync(source("imf", .sdmx(broken)), daemon: daemon)
        #expect(bad.outcome == .failed)
        #expect(bad.errorCode == .unexpectedFormat || bad.errorCode == .malformed)
        #expect(try cache.status().first { $0.name == "imf" }?.observations == rows)
    }

    /// The observations of `source` stored now.
    func stored(_ source: String) throws -> [ObservationVersion] {
        try cache.observations(at: try cache.resolve(.latest), filter: RowFilter(sources: [source]))
    }

    @Test("A source configured as SDMX-JSON is read as SDMX-JSON, though its structure fills the first 4 KiB")
    func configuredFormat() async throws {
        let server = try FolderServer(folder: repositoryRoot + "/Tests/Fixtures/statistics")
        var sdmx = SDMXSource()
        sdmx.url = server.url("sdmx-json-structure-first.json")
        sdmx.format = .json
        let outcome = await engine.sync(source("structure-first", .sdmx(sdmx)), daemon: daemon)
        #expect(outcome.outcome == .changed, "\(outcome.summaryLine)")
        let rows = try stored("structure-first")
        #expect(rows.count == 6)
        #expect(rows.first { $0.series == "FREQ=M.PARTNER=KP" && $0.period == "2019-02" }?.value == "199.25")

        // An HTML page in its place is still refused, naming what came.
        var page = SDMXSource()
        page.url = publisher.url("/hostile/html")
        page.format = .json
        let refused = await engine.sync(source("page", .sdmx(page)), daemon: daemon)
        #expect(refused.errorCode == .unexpectedFormat)
        #expect(refused.errorMessage?.contains("an HTML page") == true)
    }

    @Test("A whole URL's dataset: the message's dataflow, else the URL's flow, else its structure, else sdmx")
    func datasetNames() async throws {
        // The fixtures, served under SDMX REST paths.
        let folder = directory.file("rest")
        let fixtures = repositoryRoot + "/Tests/Fixtures/statistics/"
        let files = [
            ("data/PUB,OTHER_FLOW,1.0/all", "sdmx-repeated-keys.xml"),  // references the dataflow TRADE_CN_KP
            ("data/PUB,TRADE_X,1.0/all", "sdmx-explicit-measures.xml"),  // references the DSD TRADE_XS
            ("files/measures.xml", "sdmx-explicit-measures.xml"),
        ]
        for (path, file) in files {
            let target = folder + "/" + path
            try FileManager.default.createDirectory(
                atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: fixtures + file, toPath: target)
        }
        let bare = """
            <message:GenericData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" xmlns:generic="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic">
            <message:Header><message:ID>X</message:ID></message:Header>
            <message:DataSet><generic:Series><generic:SeriesKey><generic:Value id="FREQ" value="A"/></generic:SeriesKey>
            <generic:Obs><generic:ObsDimension value="2019"/><generic:ObsValue value="1"/></generic:Obs></generic:Series>
            </message:DataSet></message:GenericData>
            """
        try bare.write(toFile: folder + "/files/bare.xml", atomically: true, encoding: .utf8)
        let server = try FolderServer(folder: folder)
        let expected = [
            ("data/PUB,OTHER_FLOW,1.0/all", "TRADE_CN_KP"), ("data/PUB,TRADE_X,1.0/all", "TRADE_X"),
            ("files/measures.xml", "TRADE_XS"), ("files/bare.xml", "sdmx"),
        ]
        for (index, (path, dataset)) in expected.enumerated() {
            var sdmx = SDMXSource()
            sdmx.url = server.url(path)
            let outcome = await engine.sync(source("s\(index)", .sdmx(sdmx)), daemon: daemon)
            #expect(outcome.outcome == .changed, "\(path): \(outcome.summaryLine)")
            let datasets = Set(try stored("s\(index)").map(\.dataset))
            #expect(datasets == [dataset], "\(path)")
        }
        // The repeated keys were stored once each, the last of each.
        let repeated = try stored("s0")
        #expect(repeated.count == 3)
        #expect(repeated.first { $0.series == "FREQ=M.PARTNER=KP" && $0.period == "2019-01" }?.value == "11")
        // Explicit measures: six observations, not two.
        #expect(try stored("s1").count == 6)
    }

    @Test(
        "Keys a message repeats are recorded with the fetch, shown on the --once line and by status until the next payload"
    )
    func repeatedKeysRecorded() async throws {
        let server = try FolderServer(folder: repositoryRoot + "/Tests/Fixtures/statistics")
        var sdmx = SDMXSource()
        sdmx.url = server.url("sdmx-repeated-keys.xml")
        let outcome = await engine.sync(source("repeats", .sdmx(sdmx)), daemon: daemon)
        #expect(outcome.outcome == .changed, "\(outcome.summaryLine)")
        let warning = try #require(outcome.warnings.first)
        #expect(warning.contains("more than once") && warning.contains("FREQ=M.PARTNER=KP@2019-01 (2 times)"))
        #expect(outcome.summaryLine.contains("warning: \(warning.prefix(40))"), "\(outcome.summaryLine)")
        #expect(try cache.status().first { $0.name == "repeats" }?.lastWarnings == outcome.warnings)
        // The same payload again is not read again; the warning still describes what is held.
        let again = await engine.sync(source("repeats", .sdmx(sdmx)), daemon: daemon)
        #expect(again.outcome == .notModified || again.outcome == .unchanged, "\(again.summaryLine)")
        #expect(again.warnings.isEmpty)
        #expect(try cache.status().first { $0.name == "repeats" }?.lastWarnings == outcome.warnings)
        // A newer payload without repeats replaces it.
        let newer = directory.file("newer")
        try FileManager.default.createDirectory(atPath: newer, withIntermediateDirectories: true)
        let clean = try Data(
            contentsOf: URL(fileURLWithPath: repositoryRoot + "/Tests/Fixtures/statistics/sdmx-generic-delta.xml"))
        try clean.write(to: URL(fileURLWithPath: newer + "/clean.xml"))
        let cleanServer = try FolderServer(folder: newer)
        sdmx.url = cleanServer.url("clean.xml")
        let read = await engine.sync(source("repeats", .sdmx(sdmx)), daemon: daemon)
        #expect(read.outcome == .changed, "\(read.summaryLine)")
        #expect(try cache.status().first { $0.name == "repeats" }?.lastWarnings == [])
    }
}
