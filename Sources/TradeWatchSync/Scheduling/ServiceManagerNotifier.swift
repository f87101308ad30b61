/// What the scheduler tells the service manager that runs the daemon: ready, a status line
/// when it changes, watchdog pings, stopping. The daemon passes `SystemdNotifier`
/// (TradeWatchDaemon), which speaks systemd's notify protocol or does nothing without one.
public protocol ServiceManagerNotifier: Sendable {
    /// How often the manager expects `watchdog()`; nil when nothing watches.
    var watchdogInterval: Duration? { get }
    /// Started and serving, with the first status line.
    func ready(status: String)
    /// The status line changed.
    func status(_ status: String)
    /// Still alive; due every half `watchdogInterval`.
    func watchdog()
    /// Shutting down.
    func stopping()
}
