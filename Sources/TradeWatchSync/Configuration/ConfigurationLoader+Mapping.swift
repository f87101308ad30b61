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

    /// `labels = { CMD = "HS description" }`: which column names which dimension's codes.
    /// Each id must be one of the source's dimensions, and each column none of the columns
    /// that already hold the key, the period, the value, the flags or the unit.
    static func readLabels(_ table: TableReader, source: CSVSource) -> [CSVSource.Column] {
        guard let value = table.value("labels", required: false) else { return [] }
        guard let labels = value.table else {
            table.mismatch(
                "labels", expected: "a table of dimension ids and column names, such as { CMD = \"HS description\" }",
                found: value)
            return []
        }
        let dimensionIDs = source.dimensions.map(\.id)
        var roles: [String: String] = [:]
        for dimension in source.dimensions.reversed() {
            roles[dimension.column] = "the column of dimension \(dimension.id)"
        }
        roles[source.period] = "the period column"
        roles[source.value] = "the value column"
        if let flags = source.flags { roles[flags] = "the flags column" }
        if let unit = source.unit { roles[unit] = "the unit column" }
        var out: [CSVSource.Column] = []
        for id in labels.keys.sorted() {
            let key = "labels." + id
            guard let element = labels[id], let column = element.string else {
                table.report(
                    key, "expected a column name, found \(labels[id].map(TableReader.describe) ?? "nothing")")
                continue
            }
            guard table.acceptable(id, key: key), table.acceptable(column, key: key) else { continue }
            if !dimensionIDs.isEmpty, !dimensionIDs.contains(id) {
                table.report(
                    key,
                    "\"\(id)\" is not a dimension of this source; its dimensions are \(dimensionIDs.joined(separator: ", "))"
                )
                continue
            }
            if let role = roles[column] {
                table.report(key, "the column \"\(column)\" is already \(role); a label column holds only names")
                continue
            }
            out.append(CSVSource.Column(column: column, id: id))
        }
        return out
    }
}
