import Foundation
import TestSupport
import Testing
import TradeWatchCache
import TradeWatchFormats
import TradeWatchModel

/// `tradewatch export` never destroys a file that is not its own (issue #16, items 1–5), run
/// with the built binary on real folders, files and links.
@Suite("export never destroys a user's file")
struct ExportSafetyTests {
    let cli = builtProduct("tradewatch")

    /// Every file under `path` with its bytes (folders as empty entries ending in "/").
    func tree(_ path: String) -> [String: Data] {
        var result: [String: Data] = [:]
        for sub in FileManager.default.subpaths(atPath: path) ?? [] {
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path + "/" + sub, isDirectory: &isFolder)
            result[isFolder.boolValue ? sub + "/" : sub] =
                isFolder.boolValue ? Data() : FileManager.default.contents(atPath: path + "/" + sub)
        }
        return result
    }

    /// The hidden folders an export leaves beside its destination, if any.
    func hiddenLeftovers(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tradewatch-") }
    }

    func shell(_ script: String) throws -> ProcessResult { try run("/bin/sh", ["-c", script]) }

    func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// A failure the user sees: exit 1 and one line, never a Foundation error dump.
    func expectOneSentence(_ result: ProcessResult, mentioning words: [String]) {
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(!result.stderr.contains("NSCocoaErrorDomain") && !result.stderr.contains("Error Domain"))
        for word in words { #expect(result.stderr.contains(word), "\(result.stderr)") }
    }

    func isLink(_ path: String) -> Bool {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil
    }

    @Test("Exporting onto the cache file is refused, with or without --force, and the cache still opens")
    func ontoTheCacheFile() throws {
        let directory = TemporaryDirectory()
        let db = try RevisionCommandsTests.scriptedCache(directory)
        let before = try #require(FileManager.default.contents(atPath: db))
        for flags in [[], ["--force"]] {
            let result = try run(cli, ["export", "--db", db, "--out", db] + flags)
            expectOneSentence(result, mentioning: [db, "is a file"])
        }
        #expect(FileManager.default.contents(atPath: db) == before)
        let status = try run(cli, ["status", "--db", db])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(try hiddenLeftovers(in: directory.path).isEmpty)
    }

    @Test("--force does not replace a project folder: every file in it stays")
    func forceOntoAProject() throws {
        let directory = TemporaryDirectory()
        let db = try RevisionCommandsTests.scriptedCache(directory)
        let project = directory.file("proj")
        try FileManager.default.createDirectory(atPath: project + "/src", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: project + "/.git", withIntermediateDirectories: true)
        try Data("ref: refs/heads/main\n".utf8).write(to: URL(fileURLWithPath: project + "/.git/HEAD"))
        try Data("print(1)\n".utf8).write(to: URL(fileURLWithPath: project + "/src/main.swift"))
        // A name an export writes does not make a folder an export.
        try Data("# my project\n".utf8).write(to: URL(fileURLWithPath: project + "/README.md"))
        let before = tree(project)

        let result = try run(cli, ["export", "--db", db, "--out", project, "--force"])
        expectOneSentence(result, mentioning: [project, "only a previous tradewatch export may be replaced"])
        #expect(tree(project) == before)
        #expect(try hiddenLeftovers(in: directory.path).isEmpty)
    }

    @Test("--out . --force in the cache's own folder is refused and the cache stays")
    func forceOntoTheCacheFolder() throws {
        let directory = TemporaryDirectory()
        _ = try RevisionCommandsTests.scriptedCache(directory)
        // A first reader leaves SQLite's -shm and -wal beside the cache; they are not the export's doing.
        #expect(try run(cli, ["status", "--db", directory.file("cache.db")]).status == 0)
        let before = tree(directory.path)
        let result = try shell(
            "cd \(quoted(directory.path)) && exec \(quoted(cli)) export --db cache.db --out . --force")
        expectOneSentence(result, mentioning: ["refusing", "cache.db"])
        #expect(tree(directory.path) == before)
        #expect(try run(cli, ["status", "--db", directory.file("cache.db")]).status == 0)
    }

    @Test("--force replaces a previous export; without it the previous export is refused")
    func replacePreviousExport() throws {
        let directory = TemporaryDirectory()
        let db = try RevisionCommandsTests.scriptedCache(directory)
        let out = directory.file("snapshot")
        #expect(try run(cli, ["export", "--db", db, "--out", out, "--as-of", "1"]).status == 0)
        let refused = try run(cli, ["export", "--db", db, "--out", out])
        expectOneSentence(refused, mentioning: ["previous tradewatch export", "--force"])
        let replaced = try run(cli, ["export", "--db", db, "--out", out, "--force", "--format", "ndjson"])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        // The old export's files are gone (its CSV dataset table too), the new one's are there.
        #expect(
            Set(tree(out).keys) == [
                "observations.ndjson", "entries.ndjson", "customs.TRADE.ndjson", "datapackage.json", "README.md",
            ])
        #expect(String(decoding: tree(out)["README.md"] ?? Data(), as: UTF8.self).contains("Revision: 4"))
        #expect(try hiddenLeftovers(in: directory.path).isEmpty)
    }

    @Test("A --force export that fails midway (file size limit: EFBIG) leaves the previous export whole")
    func failedForceKeepsPrevious() throws {
        let directory = TemporaryDirectory()
        // 3,000 figures: an observations.csv of about 200 KB.
        let db = directory.file("cache.db")
        let cache = try SQLiteCache(path: db)
        try cache.record(
            source: "customs", kind: "sdmx", attempt: FetchAttempt(startedAt: Date(), url: "http://127.0.0.1/c"),
            result: .pulled(
                PullContent(
                    Pull(
                        observations: (0..<3000).map {
                            Observation(
                                dataset: "TRADE", series: SeriesKey(["CMD": String($0)]), period: Period("2019-03"),
                                value: "\($0)")
                        }, observationScope: .wholeSource), searchText: HTMLCleaner.text)))
        let out = directory.file("snapshot")
        #expect(try run(cli, ["export", "--db", db, "--out", out, "--format", "ndjson"]).status == 0)
        let before = tree(out)
        // RLIMIT_FSIZE of 64 KiB with SIGXFSZ ignored: SQLite's 32 KiB -shm fits, but the
        // write of a CSV file past 64 KiB fails with EFBIG (the dataset's table, written in
        // the same pass as observations.csv and wider, gets there first): a real failure
        // midway through writing the new export.
        let result = try shell(
            "trap '' XFSZ; ulimit -f 64; exec \(quoted(cli)) export --db \(quoted(db)) --out \(quoted(out)) --force")
        expectOneSentence(result, mentioning: ["customs.TRADE.csv", "File too large"])
        #expect(tree(out) == before)
        #expect(try hiddenLeftovers(in: directory.path).isEmpty)
    }

    @Test(
        "--force over an export with an undeletable file (immutable) still puts the new export in place and says what is left"
    )
    func previousWithUndeletableFile() throws {
        let directory = TemporaryDirectory()
        let db = try RevisionCommandsTests.scriptedCache(directory)
        let out = directory.file("snapshot")
        #expect(try run(cli, ["export", "--db", db, "--out", out, "--as-of", "1"]).status == 0)
        let before = tree(out)
        // chattr +i makes unlink fail with EPERM even for root: a real failure while the old
        // export is removed. Without the capability (or on a file system without the
        // attribute) there is nothing to test here.
        guard try run("/usr/bin/env", ["chattr", "+i", out + "/README.md"]).status == 0 else { return }
        defer { _ = try? run("/usr/bin/env", ["chattr", "-i", "-R", directory.path]) }

        let result = try run(cli, ["export", "--db", db, "--out", out, "--force"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(String(decoding: tree(out)["README.md"] ?? Data(), as: UTF8.self).contains("Revision: 4"))
        // What could not be removed of the old export is at the hidden path the note names.
        let kept = try hiddenLeftovers(in: directory.path)
        #expect(kept.count == 1)
        #expect(result.stderr.contains(kept.first ?? "?"), "\(result.stderr)")
        #expect(tree(directory.file(kept.first ?? "?"))["README.md"] == before["README.md"])
    }

    @Test("Links: to a file, an empty folder or nowhere are refused; to an export only with --force")
    func symbolicLinks() throws {
        let directory = TemporaryDirectory()
        let db = try RevisionCommandsTests.scriptedCache(directory)
        let manager = FileManager.default
        let notes = directory.file("notes.txt")
        try Data("mine".utf8).write(to: URL(fileURLWithPath: notes))
        try manager.createDirectory(atPath: directory.file("empty"), withIntermediateDirectories: false)
        let cases: [(link: String, destination: String, words: [String])] = [
            (directory.file("to-file"), notes, ["symbolic link"]),
            (directory.file("to-empty"), directory.file("empty"), ["symbolic link"]),
            (directory.file("dangling"), directory.file("nowhere"), ["does not exist"]),
        ]
        for item in cases {
            try manager.createSymbolicLink(atPath: item.link, withDestinationPath: item.destination)
            for flags in [[], ["--force"]] {
                let result = try run(cli, ["export", "--db", db, "--out", item.link] + flags)
                expectOneSentence(result, mentioning: [item.link] + item.words)
                #expect(isLink(item.link))
            }
        }
        #expect(manager.contents(atPath: notes) == Data("mine".utf8))
        #expect(try manager.contentsOfDirectory(atPath: directory.file("empty")).isEmpty)
        #expect(!manager.fileExists(atPath: directory.file("nowhere")))

        let previous = directory.file("previous")
        #expect(try run(cli, ["export", "--db", db, "--out", previous, "--as-of", "1"]).status == 0)
        let link = directory.file("to-export")
        try manager.createSymbolicLink(atPath: link, withDestinationPath: previous)
        expectOneSentence(try run(cli, ["export", "--db", db, "--out", link]), mentioning: ["--force"])
        let forced = try run(cli, ["export", "--db", db, "--out", link, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(isLink(link))
        #expect(
            String(decoding: manager.contents(atPath: previous + "/README.md") ?? Data(), as: UTF8.self)
                .contains("Revision: 4"))
        #expect(try hiddenLeftovers(in: directory.path).isEmpty)
    }

    @Test("A folder that cannot be written, /proc, and a file on the path each give one sentence")
    func unwritablePlaces() throws {
        let directory = TemporaryDirectory()
        let db = try RevisionCommandsTests.scriptedCache(directory)
        // /sys refuses new folders even to root (EPERM); /proc has no such entry (ENOENT); a
        // regular file in the middle of the path gives ENOTDIR. Tests run as root, so a
        // chmod 0500 folder would not fail.
        let places: [(out: String, words: [String])] = [
            ("/sys/tradewatch-export-test", ["/sys", "Operation not permitted"]),
            ("/proc/tradewatch-export-test", ["/proc", "No such file or directory"]),
            (db + "/export", [db, "Not a directory"]),
        ]
        for place in places {
            let result = try run(cli, ["export", "--db", db, "--out", place.out])
            expectOneSentence(result, mentioning: ["cannot export to \(place.out)"] + place.words)
        }
        #expect(try run(cli, ["status", "--db", db]).status == 0)
    }
}
