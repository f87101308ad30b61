import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("The control socket cannot be flooded", .serialized)
struct ControlSocketTests {
    let directory = TemporaryDirectory()
    let publisher: Publisher

    init() throws {
        publisher = try Publisher()
    }

    private var socketPath: String { directory.file("control.sock") }

    private func startDaemon() throws -> DaemonProcess {
        let config = try daemonConfig(
            in: directory, publisher: publisher, sources: [("news", "/feeds/korea-trade.rss")])
        let daemon = try DaemonProcess(config: config, directory: directory)
        #expect(eventually { FileManager.default.fileExists(atPath: socketPath) })
        // Settled: the first sync is done, so the thread and descriptor counts are at rest.
        #expect(
            eventually {
                (try? run(builtProduct("tradewatch"), ["status", "--db", directory.file("cache.db")]))?.stdout.contains(
                    "news") == true
            })
        usleep(500_000)
        return daemon
    }

    @Test("200 slow clients: no thread each, bounded descriptors, all closed, and sync --wait still works")
    func slowClients() throws {
        let daemon = try startDaemon()
        let pid = daemon.process.processIdentifier
        let threadsBefore = threadCount(pid)
        let descriptorsBefore = openDescriptors(pid)

        // Each sends one byte of a request and never the rest.
        var clients: [ControlConnection] = []
        for _ in 0..<200 {
            guard let client = ControlConnection(path: socketPath) else { continue }
            client.send([UInt8(ascii: "{")])
            clients.append(client)
        }
        #expect(clients.count == 200)
        usleep(500_000)
        let threadsDuring = threadCount(pid)
        let descriptorsDuring = openDescriptors(pid)
        #expect(threadsDuring <= threadsBefore + 2, "threads \(threadsBefore) → \(threadsDuring)")
        #expect(descriptorsDuring <= descriptorsBefore + 16 + 2, "fds \(descriptorsBefore) → \(descriptorsDuring)")

        // Meanwhile an analyst's sync goes through: it waits for a slot (they free at the
        // request deadline) instead of failing.
        let synced = try run(
            builtProduct("tradewatch"), ["sync", "news", "--wait", "--socket", socketPath, "--timeout", "60s"])
        #expect(synced.status == 0, "\(synced.stderr)")
        #expect(synced.stdout.hasPrefix("news: "), "\(synced.stdout)")

        // The slow ones are cut off at the request deadline; the refused ones at once.
        let answers = clients.map { $0.readToEnd() }
        #expect(answers.filter { $0.contains("busy") }.count >= 184)
        #expect(answers.filter { $0.contains("no whole request within the deadline") }.count <= 16)

        clients = []
        #expect(eventually(10) { openDescriptors(pid) <= descriptorsBefore }, "fds \(openDescriptors(pid))")
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(within: 15) == 0, "\(daemon.logText)")
    }

    @Test("A 17th connection gets a one-line refusal; a slot frees when a client leaves")
    func seventeenth() throws {
        let daemon = try startDaemon()
        var idle = (0..<16).compactMap { _ in ControlConnection(path: socketPath) }
        #expect(idle.count == 16)
        usleep(300_000)
        let extra = try #require(ControlConnection(path: socketPath))
        let refusal = extra.readToEnd()
        #expect(refusal.hasSuffix("\n") && refusal.split(separator: "\n").count == 1, "\(refusal)")
        #expect(refusal.contains("\"ok\":false") && refusal.contains("busy"), "\(refusal)")

        idle.removeLast()
        usleep(300_000)
        let next = try #require(ControlConnection(path: socketPath))
        next.send(Array(#"{"command":"status","sources":[],"wait":false}"#.utf8) + [UInt8(ascii: "\n")])
        #expect(next.readToEnd().contains("\"ok\":true"))
        idle = []
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(within: 15) == 0, "\(daemon.logText)")
    }

    @Test("An unknown command gets a one-line refusal naming the commands the daemon knows")
    func unknownCommand() throws {
        let daemon = try startDaemon()
        let client = try #require(ControlConnection(path: socketPath))
        client.send(Array(#"{"command":"reindex","sources":[],"wait":false}"#.utf8) + [UInt8(ascii: "\n")])
        let answer = client.readToEnd()
        #expect(answer.hasSuffix("\n") && answer.split(separator: "\n").count == 1, "\(answer)")
        let reply = try #require(try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any])
        #expect(reply["ok"] as? Bool == false)
        #expect(reply["code"] as? String == "unknown-command", "\(answer)")
        #expect(reply["error"] as? String == #"unknown command "reindex" (this daemon knows: sync, status)"#)

        // Still serving: the next request is answered.
        let next = try #require(ControlConnection(path: socketPath))
        next.send(Array(#"{"command":"status","sources":[],"wait":false}"#.utf8) + [UInt8(ascii: "\n")])
        #expect(next.readToEnd().contains("\"ok\":true"))
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(within: 15) == 0, "\(daemon.logText)")
    }

    @Test("A request over 64 KiB and one naming over 1,000 sources are refused and closed")
    func oversizedRequests() throws {
        let daemon = try startDaemon()
        let pid = daemon.process.processIdentifier
        let descriptorsBefore = openDescriptors(pid)

        let large = try #require(ControlConnection(path: socketPath))
        _ = large.send([UInt8](repeating: UInt8(ascii: "a"), count: 70 * 1024))
        #expect(large.readToEnd().contains("larger than 64 KiB"))

        let names = (0...1000).map { "\"s\($0)\"" }.joined(separator: ",")
        let many = try #require(ControlConnection(path: socketPath))
        many.send(Array(#"{"command":"sync","sources":[\#(names)],"wait":false}"#.utf8) + [UInt8(ascii: "\n")])
        #expect(many.readToEnd().contains("too many sources in one request (1001; at most 1000)"))

        let cli = try run(
            builtProduct("tradewatch"), ["sync", "--socket", socketPath] + (0...1000).map { "s\($0)" })
        #expect(cli.status != 0)
        #expect(cli.stderr.contains("at most 1000 sources"), "\(cli.stderr)")

        #expect(eventually(10) { openDescriptors(pid) <= descriptorsBefore })
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(within: 15) == 0, "\(daemon.logText)")
    }
}
