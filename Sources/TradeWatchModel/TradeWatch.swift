/// Facts about this build of tradewatch that every executable reports the same way.
public enum TradeWatch {
    /// The version both executables print with `--version` and send in the User-Agent.
    public static let version = "0.1.0"

    /// The User-Agent product token, `tradewatch/<version>`.
    public static var userAgentProduct: String { "tradewatch/\(version)" }
}
