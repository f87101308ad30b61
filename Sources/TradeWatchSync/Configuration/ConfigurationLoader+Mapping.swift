import Foundation
import TOMLKit

extension ConfigurationLoader {
    /// A CSV source from a mapping file: the keys of a `kind = "csv"` source table
    /// (`dimensions`, `period`, `value`, `delimiter`…) at the top level of `file`, checked by
    /// the same reader as the configuration. `dataset` defaults to `csv`; `name`, `kind` and
    /// `url` may be left out. Issues name the mapping file's own lines and keys.
    public static func csvSource(mappingFile file: String) throws(ConfigurationError) -> SourceConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ConfigurationError(issues: [
                ConfigurationIssue(file: file, line: nil, keyPath: "", message: "cannot be read as UTF-8 text")
            ])
        }
        // The mapping becomes the one source of a configuration, so that every key is read
        // and checked exactly as in the daemon's file.
        let present = Set((try? TOMLTable(string: text))?.keys ?? [])
        var header = ["[[source]]"]
        for (key, value) in [
            ("name", "mapping"), ("kind", "csv"), ("url", "https://mapping.invalid/"), ("dataset", "csv"),
        ]
        where !present.contains(key) {
            header.append("\(key) = \"\(value)\"")
        }
        let offset = header.count
        let configuration: Configuration
        do {
            configuration = try parse(header.joined(separator: "\n") + "\n" + text, file: file)
        } catch {
            throw ConfigurationError(
                issues: error.issues.map { issue in
                    var issue = issue
                    issue.line = issue.line.flatMap { $0 > offset ? $0 - offset : nil }
                    if issue.keyPath.hasPrefix("source[0].") { issue.keyPath.removeFirst("source[0].".count) }
                    return issue
                })
        }
        guard let source = configuration.sources.first, case .csv = source.kind else {
            throw ConfigurationError(issues: [
                ConfigurationIssue(
                    file: file, line: nil, keyPath: "kind", message: "a mapping file describes a CSV source")
            ])
        }
        return source
    }
}
