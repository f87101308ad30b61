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
}
