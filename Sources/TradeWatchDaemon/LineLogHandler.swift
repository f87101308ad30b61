import Foundation
public import Logging
import TradeWatchModel

/// One line per event on stderr: `LEVEL message key=value…`, the message, keys and values
/// escaped (``TerminalText``) so that no publisher text can break the line or reach the
/// terminal raw. Under journald (`$JOURNAL_STREAM` set) each line starts with the syslog
/// priority (`<6>`) so the journal keeps the level and adds its own timestamp; elsewhere the
/// line starts with the time.
public struct LineLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let journal: Bool
    private let label: String

    public init(label: String, level: Logger.Level, journal: Bool) {
        self.label = label
        self.logLevel = level
        self.journal = journal
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = ""
        if journal {
            line += "<\(Self.priority(event.level))>"
        } else {
            line += Timestamp.format(Date()) + " "
        }
        line += "\(event.level) \(TerminalText.line("\(event.message)"))"
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        for key in all.keys.sorted() {
            guard let value = all[key] else { continue }
            line += " \(TerminalText.line(key))=\(Self.quoted(TerminalText.line("\(value)")))"
        }
        line += "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// syslog priorities, as `sd-daemon.h` numbers them.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// `value` (escaped already, so on one line) as it follows `key=`: bare, or between quotes
    /// with `\` and `"` escaped when it is empty or holds a space, a quote or `=` — so that no
    /// value can end early and forge a `key=value` of its own.
    private static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else { return value }
        return "\""
            + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
    }
}
