import Foundation
import GRDB
import TestSupport
import Testing
import TradeWatchFormats
import TradeWatchModel

@testable import TradeWatchCache
@testable import TradeWatchSync

@Suite("The daemon's cache writes, committed in groups")
struct CacheWriteQueueTests {
    static func pull(_ feed: Int) -> Pull {
        Pull(
            entries: (0..<3).map { item in
                Entry(
                    key: "f\(feed)-\(item)", id: "f\(feed)-\(item)", title: "Note \(item) of feed \(feed)",
                    link: "https://example.org/\(feed)/\(item)", summary: "Customs figures, heading 6704")
            }, entryScope: .all)
    }

    @Test("Writes submitted together each get their own revision, durable when they return")
    func concurrentWrites() async throws {
        let directory = TemporaryDirectory()
        let cache = try SQLiteCache(path: directory.file("cache.db"))
        let queue = CacheWriteQueue(cache: cache, maximumGroup: 16)
        let records = try await withThrowingTaskGroup(of: (Int, FetchRecord).self) { group in
            for feed in 0..<100 {
                group.addTask {
                    let record = try await queue.submit(groupable: true) {
                        try cache.record(
                            source: "feed-\(feed)", kind: "feed",
                            attempt: FetchAttempt(startedAt: Date(), url: "http://127.0.0.1/\(feed)"),
                            result: .pulled(PullContent(Self.pull(feed), searchText: HTMLCleaner.text)))
                    }
                    // Another connection sees it at once: the write has committed.
                    let seen = try SQLiteCache(path: cache.path, access: .readOnly).syncState(source: "feed-\(feed)")
                    #expect(seen?.lastSuccess != nil)
                    return (feed, record)
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(records.count == 100)
        #expect(Set(records.values.compactMap(\.revision?.id)) == Set(1...100))
        for (feed, record) in records {
            #expect(record.revision?.source == "feed-\(feed)")
            #expect(record.revision?.added == 3)
        }
        #expect(try cache.verify().passed)
    }

    @Test("A write SQLite refuses fails alone; the writes grouped with it are stored")
    func oneBadWrite() async throws {
        let directory = TemporaryDirectory()
        let cache = try SQLiteCache(path: directory.file("cache.db"))
        let queue = CacheWriteQueue(cache: cache)
        let results = await withTaskGroup(of: (Int, Bool).self) { group in
            for feed in 0..<40 {
                group.addTask {
                    do {
                        _ = try await queue.submit(groupable: true) {
                            if feed == 17 {
                                // What a full disk or a damaged file looks like from here.
                                try cache.write { db in
                                    try db.execute(sql: "INSERT INTO revision (id) VALUES ('not a number')")
                                }
                            }
                            return try cache.record(
                                source: "feed-\(feed)", kind: "feed",
                                attempt: FetchAttempt(startedAt: Date(), url: "http://127.0.0.1/\(feed)"),
                                result: .pulled(PullContent(Self.pull(feed), searchText: HTMLCleaner.text)))
                        }
                        return (feed, true)
                    } catch {
                        return (feed, false)
                    }
                }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(results.filter { !$0.value }.map(\.key) == [17])
        #expect(try cache.log().count == 39)
        #expect(try cache.syncState(source: "feed-17") == nil)
        #expect(try cache.verify().passed)
    }
}

@Suite("What the search index holds")
struct SearchTextTests {
    @Test("Articles are searched as a reader sees them: hidden script text is not found, entities are decoded")
    func readerText() throws {
        let directory = TemporaryDirectory()
        let cache = try SQLiteCache(path: directory.file("cache.db"))
        let entry = Entry(
            key: "a", id: "a", title: "Wig exports &amp; caf&eacute;s",
            summary: "<p>Caf&eacute; owners <script>var hiddenTracker = 1</script>buy <b>wigs</b>&nbsp;now</p>"
                + "<style>.secretStyle{}</style>")
        try cache.record(
            source: "news", kind: "feed", attempt: FetchAttempt(startedAt: Date(), url: "http://127.0.0.1/news"),
            result: .pulled(PullContent(Pull(entries: [entry], entryScope: .all), searchText: HTMLCleaner.text)))
        #expect(try cache.search("hiddenTracker").isEmpty, "script text is not what a reader sees")
        #expect(try cache.search("secretStyle").isEmpty)
        #expect(try cache.search("café").count == 1, "entities are decoded before indexing")
        #expect(try cache.search("owners wigs").count == 1)
        // The article itself is stored as published.
        #expect(try cache.entryHistory(key: "a").first?.entry.summary?.contains("<script>") == true)
    }
}
