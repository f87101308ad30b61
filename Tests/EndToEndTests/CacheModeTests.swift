import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Who may read the cache: file modes and the service's group", .serialized)
struct CacheModeTests {
    let directory = TemporaryDirectory()
    let publisher: Publisher

    init() throws {
        publisher = try Publisher()
    }

    private func mode(_ path: String) -> mode_t? {
        var status = stat()
        return stat(path, &status) == 0 ? status.st_mode & 0o7777 : nil
    }

    @Test("Under umask 022 the folder is made 0750 and the cache, -wal, -shm and lock 0640")
    func modesUnderPermissiveUmask() throws {
        let cache = directory.file("state/tradewatch/cache.db")
        let config = try daemonConfig(
            in: directory, publisher: publisher, sources: [("news", "/feeds/korea-trade.rss")], cache: cache)
        let once = try run(
            "/bin/sh", ["-c", "umask 022 && exec \"$0\" --config \"$1\" --once", builtProduct("tradewatchd"), config])
        #expect(once.status == 0, "\(once.stderr)")
        #expect(mode(directory.file("state")) == 0o750)
        #expect(mode(directory.file("state/tradewatch")) == 0o750)
        for suffix in ["", "-wal", "-shm", ".lock"] {
            #expect(mode(cache + suffix) == 0o640, "\(cache + suffix): \(String(mode(cache + suffix) ?? 0, radix: 8))")
        }
    }

    @Test("A member of the cache's group runs tradewatch status with the daemon running and stopped")
    func groupMemberReads() throws {
        guard getuid() == 0 else {
            // Creating a second user and running a command as that user takes root.
            print("skipped: needs root to create a second user and run tradewatch as that user")
            return
        }
        let group = "twcachetest"
        let member = "twreadertest"
        try ensureAccount(group: group, member: member)
        // The folder the unit's StateDirectory= makes: 0750, the service's group; the setgid
        // bit gives files the folder's group, as the service's own group would.
        chmod(directory.path, 0o755)
        let state = directory.file("state")
        #expect(mkdir(state, 0o750) == 0)
        #expect(run0("/bin/chgrp", [group, state]))
        #expect(chmod(state, 0o2750) == 0)
        let cache = state + "/cache.db"
        let config = try daemonConfig(
            in: directory, publisher: publisher, sources: [("news", "/feeds/korea-trade.rss")], cache: cache)

        let daemon = try DaemonProcess(config: config, directory: directory)
        let cli = builtProduct("tradewatch")
        #expect(eventually { (try? run(cli, ["status", "--db", cache]))?.stdout.contains("news") == true })
        let running = try run("/usr/sbin/runuser", ["-u", member, "--", cli, "status", "--db", cache])
        #expect(running.status == 0, "\(running.stderr)")
        #expect(running.stdout.contains("daemon: running"), "\(running.stdout)")
        #expect(running.stdout.contains("news"))

        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(within: 15) == 0, "\(daemon.logText)")
        let stopped = try run("/usr/sbin/runuser", ["-u", member, "--", cli, "status", "--db", cache])
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(stopped.stdout.contains("daemon: stopped"), "\(stopped.stdout)")
        #expect(stopped.stdout.contains("news"))
        let history = try run("/usr/sbin/runuser", ["-u", member, "--", cli, "log", "--db", cache])
        #expect(history.status == 0, "\(history.stderr)")

        // Anyone outside the group reads nothing.
        let outsider = try run("/usr/sbin/runuser", ["-u", "nobody", "--", cli, "status", "--db", cache])
        #expect(outsider.status != 0)
    }

    private func ensureAccount(group: String, member: String) throws {
        if !run0("/usr/bin/getent", ["group", group]) {
            #expect(run0("/usr/sbin/groupadd", ["--system", group]))
        }
        if !run0("/usr/bin/getent", ["passwd", member]) {
            #expect(
                run0(
                    "/usr/sbin/useradd",
                    ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "--groups", group, member]))
        }
    }

    private func run0(_ executable: String, _ arguments: [String]) -> Bool {
        (try? run(executable, arguments))?.status == 0
    }
}
