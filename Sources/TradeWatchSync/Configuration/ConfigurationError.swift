import Foundation

/// One problem in a configuration file: where it is and what was expected.
public struct ConfigurationIssue: Sendable, Equatable, Codable, CustomStringConvertible {
    public var file: String
    /// The line, when the TOML parser or the key's position gives one.
    public var line: Int?
    /// Dotted path of the key, e.g. `source[2].interval` (empty for the file as a whole).
    public var keyPath: String
    public var message: String

    public init(file: String, line: Int?, keyPath: String, message: String) {
        self.file = file
        self.line = line
        self.keyPath = keyPath
        self.message = message
    }

    /// `FILE:LINE: KEY: message`, as compilers print it.
    public var description: String {
        var out = file
        if let line { out += ":\(line)" }
        out += ": "
        if !keyPath.isEmpty { out += keyPath + ": " }
        return out + message
    }
}

/// A configuration that cannot be used, with every problem found in it.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var issues: [ConfigurationIssue]

    public init(issues: [ConfigurationIssue]) {
        self.issues = issues
    }

    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

/// Finds the line of a key in TOML text. TOMLKit does not report node positions, so the
/// loader reads the text's table headers and `key =` lines itself; a key it cannot place
/// (inline tables, dotted keys) falls back to its table's header line.
struct KeyLocator {
    private var lines: [String: Int] = [:]

    init(text: String) {
        var table = ""
        var arrayCounts: [String: Int] = [:]
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.drop { $0 == " " || $0 == "\t" }
            if line.hasPrefix("[[") {
                let name = Self.headerName(line.dropFirst(2))
                let index = arrayCounts[name, default: 0]
                arrayCounts[name] = index + 1
                table = "\(name)[\(index)]"
                lines[table] = lineNumber
            } else if line.hasPrefix("[") {
                table = Self.headerName(line.dropFirst())
                lines[table] = lineNumber
            } else if let equals = line.firstIndex(of: "="), !line.hasPrefix("#") {
                var key = line[..<equals].trimmingCharacters(in: .whitespaces)
                if key.count >= 2, key.first == "\"", key.last == "\"" { key = String(key.dropFirst().dropLast()) }
                let path = table.isEmpty ? key : table + "." + key
                if lines[path] == nil { lines[path] = lineNumber }
            }
        }
    }

    private static func headerName(_ rest: Substring) -> String {
        String(rest.prefix { $0 != "]" }).trimmingCharacters(in: .whitespaces)
    }

    /// The line of `path` (`source[1].url`), else of the nearest enclosing table.
    func line(of path: String) -> Int? {
        var candidate = path
        while true {
            if let line = lines[candidate] { return line }
            guard let dot = candidate.lastIndex(of: ".") else { return nil }
            candidate = String(candidate[..<dot])
        }
    }
}
