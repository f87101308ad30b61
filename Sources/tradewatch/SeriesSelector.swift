import ArgumentParser
import TradeWatchCache

/// The series selectors every command that names series shares: `--where DIM=CODE`
/// (repeatable; `DIM=CODE+CODE` for several codes of one dimension, as SDMX keys write them)
/// and `--match WORDS` over codes and labels. Conditions on different dimensions must all
/// hold; codes given for one dimension, in one `--where` or several, are alternatives.
struct SeriesSelector: ParsableArguments {
    @Option(
        name: .customLong("where"),
        help: ArgumentHelp(
            "Only series whose key has this code for this dimension (repeatable; CODE+CODE for several).",
            valueName: "DIM=CODE"))
    var conditions: [String] = []

    @Option(
        name: .customLong("match"),
        help: ArgumentHelp(
            "Only series whose codes or labels hold every one of these words (any language).", valueName: "WORDS"))
    var matches: [String] = []

    /// dimension → accepted codes, from every `--where`.
    var dimensions: [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        for condition in conditions {
            guard let (dimension, codes) = try? Self.parse(condition) else { continue }
            result[dimension, default: []].formUnion(codes)
        }
        return result
    }

    /// The words of every `--match`, split at white space.
    var words: [String] {
        matches.flatMap { $0.split(whereSeparator: { $0.isWhitespace }).map(String.init) }
    }

    /// Whether any selector was given.
    var isEmpty: Bool { dimensions.isEmpty && words.isEmpty }

    func validate() throws {
        for condition in conditions { _ = try Self.parse(condition) }
        // A word with no letter or digit matches nothing in the index and would narrow nothing.
        for word in words where !Self.searchable(word) {
            throw ValidationError("--match: '\(word)' has no letter or digit to look for")
        }
    }

    /// Whether a word has something the full-text index holds (a letter or a digit).
    static func searchable(_ word: String) -> Bool {
        word.unicodeScalars.contains { $0.properties.isAlphabetic || $0.properties.numericType != nil }
    }

    /// The filter these selectors and the command's own options make.
    func rowFilter(sources: [String]?, dataset: String?, keyGlob: String? = nil) -> RowFilter {
        RowFilter(sources: sources, dataset: dataset, keyGlob: keyGlob, dimensions: dimensions, words: words)
    }

    /// `DIM=CODE+CODE` → (DIM, [CODE, CODE]); the dimension and every code must be non-empty.
    static func parse(_ condition: String) throws(ValidationError) -> (String, [String]) {
        guard let equals = condition.firstIndex(of: "=") else {
            throw ValidationError("--where: '\(condition)' is not DIM=CODE (e.g. --where PARTNER=408)")
        }
        let dimension = String(condition[..<equals])
        let codes = condition[condition.index(after: equals)...].split(separator: "+", omittingEmptySubsequences: false)
        guard !dimension.isEmpty else {
            throw ValidationError("--where: '\(condition)' names no dimension before '=' (e.g. --where PARTNER=408)")
        }
        guard !codes.contains(where: \.isEmpty) else {
            throw ValidationError(
                "--where: '\(condition)' has an empty code after '=' (write DIM=CODE, or DIM=CODE+CODE for several)")
        }
        return (dimension, codes.map(String.init))
    }
}
