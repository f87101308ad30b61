import Foundation
import Testing
@testable import TradeWatchCache
import TradeWatchModel

@Suite("Series are found by their codes and labels")
struct SeriesSearchTests {
    /// The three series of `threeSeries`, labelled, in revisions 1 (data and labels) and 2 (revised data).
    static func labelledCache(_ backend: CacheBackend) throws -> (Fixture, [Int64]) {
        var fixture = try Fixture(backend)
        let first = try #require(try fixture.pull(threeSeries(), batches: [tradeLabels()]).revision)
        let second = try #require(try fixture.pull(threeSeries(round: 1)).revision)
        return (fixture, [first.id, second.id])
    }

    static func keys(_ summaries: [SeriesSummary]) -> [String] { summaries.map(\.key) }

    @Test("Words match labels of different dimensions in any language, and codes", arguments: CacheBackend.allCases)
    func words(backend: CacheBackend) throws {
        let (fixture, _) = try Self.labelledCache(backend)
        let cache = fixture.cache
        let wigsDPRK = tradeKey("6704", "408")
        #expect(Self.keys(try cache.series(SeriesQuery(words: ["wigs", "korea"]))) == [wigsDPRK])
        // Case and diacritics are ignored; a French name of one code and an English one of another.
        #expect(Self.keys(try cache.series(SeriesQuery(words: ["PERRUQUES", "coree"]))) == [wigsDPRK])
        #expect(Self.keys(try cache.series(SeriesQuery(words: ["perruques", "Japan"]))) == [tradeKey("6704", "392")])
        // A word matches the start of a word in a label.
        #expect(
            Set(Self.keys(try cache.series(SeriesQuery(words: ["wig"]))))
                == [wigsDPRK, tradeKey("6704", "392")])
        // Codes and dimension ids are words too.
        #expect(Set(Self.keys(try cache.series(SeriesQuery(words: ["6704"])))) == [wigsDPRK, tradeKey("6704", "392")])
        #expect(Set(Self.keys(try cache.series(SeriesQuery(words: ["408"])))) == [wigsDPRK, tradeKey("0901", "408")])
        #expect(try cache.series(SeriesQuery(words: ["partner"])).count == 3)
        #expect(try cache.series(SeriesQuery(words: ["wigs", "coffee"])).isEmpty)
        #expect(try cache.series(SeriesQuery(words: ["korea"], sources: ["imf"])).isEmpty)
    }

    @Test(
        "Dimensions select by codes (several per dimension), intersected with each other and with words",
        arguments: CacheBackend.allCases)
    func dimensions(backend: CacheBackend) throws {
        let (fixture, _) = try Self.labelledCache(backend)
        let cache = fixture.cache
        #expect(try cache.series(SeriesQuery(dimensions: ["PARTNER": ["408", "392"]])).count == 3)
        #expect(
            Self.keys(try cache.series(SeriesQuery(dimensions: ["PARTNER": ["408", "392"], "CMD": ["0901"]])))
                == [tradeKey("0901", "408")])
        #expect(
            Self.keys(try cache.series(SeriesQuery(words: ["korea"], dimensions: ["CMD": ["6704", "0901"]])))
                == [tradeKey("0901", "408"), tradeKey("6704", "408")])
        #expect(try cache.series(SeriesQuery(dimensions: ["PARTNER": []])).isEmpty)
        #expect(try cache.series(SeriesQuery(dimensions: ["FLOW": ["M"]])).isEmpty)
        #expect(
            Self.keys(try cache.series(SeriesQuery(dataset: "TRADE", keyGlob: "*PARTNER=392*")))
                == [tradeKey("6704", "392")])
        #expect(try cache.series(SeriesQuery(dataset: "OTHER")).isEmpty)
        #expect(
            Self.keys(try cache.series(SeriesQuery(dimensions: ["PARTNER": ["408"]], limit: 1)))
                == [tradeKey("0901", "408")])
    }

    @Test(
        "A summary names each dimension (English first), counts periods and names the last revision",
        arguments: CacheBackend.allCases)
    func summary(backend: CacheBackend) throws {
        let labelled = try Self.labelledCache(backend)
        var fixture = labelled.0
        let revisions = labelled.1
        // A third period, then its removal: the last revision is the removal's.
        try fixture.pull(threeSeries(round: 1) + [trade("6704", "408", "2018-12", "90")])
        let removal = try #require(try fixture.pull(threeSeries(round: 1)).revision)
        let summary = try #require(try fixture.cache.series(SeriesQuery(words: ["wigs", "korea"])).first)
        #expect(summary.source == "customs")
        #expect(summary.dataset == "TRADE")
        #expect(
            summary.dimensions.map { "\($0.id)=\($0.code) \($0.name ?? "-")" } == [
                "FREQ=M -", "REPORTER=156 \(Names.china)", "PARTNER=408 \(Names.dprk)", "CMD=6704 \(Names.wigs)",
            ])
        #expect(summary.periods == 2)
        #expect(summary.firstPeriod == "2019-01")
        #expect(summary.lastPeriod == "2019-02")
        #expect(summary.lastRevision == removal.id)
        let coffee = try #require(try fixture.cache.series(SeriesQuery(words: ["coffee"])).first)
        #expect(coffee.lastRevision == revisions[1])
        #expect(coffee.periods == 1)
    }

    @Test("Hostile words are searched as text, never as query syntax", arguments: CacheBackend.allCases)
    func hostileWords(backend: CacheBackend) throws {
        let (fixture, _) = try Self.labelledCache(backend)
        for word in [
            "\"", "\"wigs", "wigs\"", "NEAR(", "*", "-", "korea)", "AND", "OR", "NOT", "^wigs", "'", "\u{0}", "a:b",
            "{CMD}",
        ] {
            _ = try fixture.cache.series(SeriesQuery(words: [word]))
            _ = try fixture.cache.series(SeriesQuery(words: ["wigs", word]))
        }
        #expect(
            Self.keys(try fixture.cache.series(SeriesQuery(words: ["\"wigs\"", "korea)"]))) == [tradeKey("6704", "408")]
        )
        // "not" is a word of the coffee heading ("whether or not roasted"), not an operator.
        #expect(Self.keys(try fixture.cache.series(SeriesQuery(words: ["NOT"]))) == [tradeKey("0901", "408")])
        // A word with nothing to search for adds no condition.
        #expect(try fixture.cache.series(SeriesQuery(words: ["wigs", "-"])).count == 2)
    }

    @Test("A renamed or withdrawn label changes what words find", arguments: CacheBackend.allCases)
    func labelChangeUpdatesSearch(backend: CacheBackend) throws {
        var fixture = try Self.labelledCache(backend).0
        #expect(try fixture.cache.series(SeriesQuery(words: ["japan"])).count == 1)
        try fixture.reference(.pulled([tradeLabels(japan: "Nippon")]))
        #expect(try fixture.cache.series(SeriesQuery(words: ["japan"])).isEmpty)
        #expect(
            Self.keys(try fixture.cache.series(SeriesQuery(words: ["nippon", "wigs"]))) == [tradeKey("6704", "392")])
        #expect(try fixture.cache.series(SeriesQuery(words: ["nippon"])).first?.dimensions[2].name == "Nippon")
        try fixture.expectVerified()

        // Withdrawn from a complete list: its words no longer find the series; its code still does.
        var lessCoffee = tradeLabels(japan: "Nippon")
        lessCoffee.labels.removeAll { $0.code == "0901" }
        try fixture.reference(.pulled([lessCoffee]))
        #expect(try fixture.cache.series(SeriesQuery(words: ["coffee"])).isEmpty)
        #expect(try fixture.cache.series(SeriesQuery(words: ["0901"])).count == 1)
        // Labels that come with data are searched as soon as they are stored.
        try fixture.pull(
            threeSeries(round: 1),
            additive: [("TRADE", CodeLabel(component: "CMD", code: "0901", language: "de", name: "Kaffee"))])
        #expect(Self.keys(try fixture.cache.series(SeriesQuery(words: ["kaffee"]))) == [tradeKey("0901", "408")])
        // A new series is searchable by the labels stored before it came.
        try fixture.pull(threeSeries(round: 1) + [trade("0901", "392", "2019-01", "5")])
        #expect(
            Self.keys(try fixture.cache.series(SeriesQuery(words: ["kaffee", "nippon"]))) == [tradeKey("0901", "392")])
        try fixture.expectVerified()
    }

    @Test("Dimensions and words narrow a diff, its stream and the as-of reads", arguments: CacheBackend.allCases)
    func rowFilter(backend: CacheBackend) throws {
        let labelled = try Self.labelledCache(backend)
        var fixture = labelled.0
        let revisions = labelled.1
        // Articles of another source change meanwhile; a filter on series leaves them out.
        try fixture.apply(
            Pull(
                entries: [Entry(key: "a1", title: "Wigs from Korea")], entryScope: .all), source: "news",
            kind: "feed")
        let to = try fixture.cache.resolve(.latest)
        let from = revisions[0]
        let cache = fixture.cache
        func diffed(_ filter: RowFilter) throws -> [String] {
            try cache.diff(from: from, to: to, filter: filter).observations.map { "\($0.key.series)@\($0.key.period)" }
        }
        #expect(try diffed(RowFilter()).count == 4)
        #expect(try cache.diff(from: from, to: to).entries.count == 1)
        let dprk = RowFilter(dimensions: ["PARTNER": ["408"]])
        #expect(
            try diffed(dprk) == [
                "\(tradeKey("0901", "408"))@2019-01", "\(tradeKey("6704", "408"))@2019-01",
                "\(tradeKey("6704", "408"))@2019-02",
            ])
        #expect(try cache.diff(from: from, to: to, filter: dprk).entries.isEmpty)
        #expect(try cache.entryChanges(from: from, to: to, filter: dprk).isEmpty)
        #expect(try cache.entryChanges(from: from, to: to, filter: RowFilter()).count == 1)
        #expect(try diffed(RowFilter(words: ["wigs"])).count == 3)
        let both = RowFilter(dimensions: ["PARTNER": ["408"]], words: ["wigs"])
        #expect(try diffed(both) == ["\(tradeKey("6704", "408"))@2019-01", "\(tradeKey("6704", "408"))@2019-02"])
        var streamed: [String] = []
        try cache.forEachObservationChange(from: to, to: from, filter: both) { streamed.append($0.key.period) }
        #expect(streamed == ["2019-01", "2019-02"])

        // As of the first revision, the first values, of the selected series only.
        let old = try cache.observations(at: from, filter: RowFilter(dimensions: ["CMD": ["6704"]], words: ["korea"]))
        #expect(old.map { "\($0.period)=\($0.value ?? "")" } == ["2019-01=100", "2019-02=110"])
        var texts: [String] = []
        try cache.forEachObservationText(at: to, filter: RowFilter(words: ["coffee"])) { row in
            texts.append(String(decoding: row.text(6) ?? UnsafeBufferPointer(start: nil, count: 0), as: UTF8.self))
        }
        #expect(texts == ["301"])
        #expect(try cache.observations(at: to, filter: RowFilter(words: ["nothing-like-this"])).isEmpty)
        try fixture.expectVerified()
    }
}
