/// Where the cache lives when no `--db` or configuration says otherwise.
public enum CachePath {
    /// The system service's cache (systemd `StateDirectory=tradewatch`).
    public static let system = "/var/lib/tradewatch/cache.db"

    /// `$TRADEWATCH_DB`, else `$STATE_DIRECTORY/cache.db` (under systemd), else the system
    /// service's cache when it exists, else `$XDG_STATE_HOME/tradewatch/cache.db` (by default
    /// `~/.local/state/tradewatch/cache.db`).
    public static func resolve(
        environment: [String: String], fileExists: (String) -> Bool = { _ in false }
    ) -> String {
        if let explicit = environment["TRADEWATCH_DB"], !explicit.isEmpty { return explicit }
        if let state = environment["STATE_DIRECTORY"], !state.isEmpty {
            // systemd may pass several directories separated by colons; the first is ours.
            let first = state.split(separator: ":").first.map(String.init) ?? state
            return first + "/cache.db"
        }
        if fileExists(system) { return system }
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty { return xdg + "/tradewatch/cache.db" }
        return (environment["HOME"] ?? "/tmp") + "/.local/state/tradewatch/cache.db"
    }
}
