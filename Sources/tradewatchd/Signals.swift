#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

enum Signals {
    /// A parent may start us with signals blocked (test runners and some supervisors do);
    /// a blocked SIGTERM would never reach the graceful shutdown, so unblock what we handle.
    static func unblockDaemonSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&set, signal) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// SIGHUP's default action ends the process: until the reload service listens for it, a
    /// `systemctl reload` that comes early (the configuration was just read anyway) is ignored
    /// rather than fatal. The service's signal source still receives it once it runs.
    static func ignoreReloadUntilListening() {
        signal(SIGHUP, SIG_IGN)
    }
}
