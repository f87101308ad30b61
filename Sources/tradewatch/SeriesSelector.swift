import ArgumentParser
import TradeWatchCache

/// Names series by what they are rather than by their whole key: `--where DIM=CODE`
/// (repeatable; `CODE+CODE` for several codes of one dimension, as SDMX keys write them) and
/// `--match WORDS` over codes and labels.
struct SeriesSelector: ParsableArguments {
    @Option(
        name: .customLong("where"),
        help: ArgumentHelp(
            "Only series whose dimension DIM has CODE (repeatable; CODE+CODE for any of several).",
            valueName: "DIM=CODE"))
    var conditions: [String] = []

    @Option(help: ArgumentHelp("Only series whose codes or labels contain all these words.", valueName: "WORDS"))
    var match: String?

    func validate() throws { _ = try parsedDimensions() }

    /// dimension → accepted codes; conditions on one dimension must all hold.
    var dimensions: [String: Set<String>] { (try? parsedDimensions()) ?? [:] }

    var words: [String] { match.map(Self.words) ?? [] }

    var isEmpty: Bool { conditions.isEmpty && words.isEmpty }

    func rowFilter(sources: [String]?, dataset: String?, keyGlob: String?) -> RowFilter {
        RowFilter(sources: sources, dataset: dataset, keyGlob: keyGlob, dimensions: dimensions, words: words)
    }

    private func parsedDimensions() throws -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        for condition in conditions {
            let parts = condition.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--where: '\(condition)' is not DIM=CODE (e.g. PARTNER=408 or CMD=6704+9701)")
            }
            let codes = parts[1].split(separator: "+", omittingEmptySubsequences: false).map(String.init)
            guard !codes.contains(where: \.isEmpty) else {
                throw ValidationError("--where: '\(condition)' has an empty code")
            }
            let dimension = String(parts[0])
            result[dimension] = result[dimension].map { $0.intersection(codes) } ?? Set(codes)
        }
        return result
    }

    static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { $0.isWhitespace }).map(String.init)
    }
}
