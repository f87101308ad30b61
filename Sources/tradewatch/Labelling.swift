import Foundation
import TradeWatchCache
import TradeWatchModel

/// Names for codes, read from the cache once per dataset, for tables and `--json`.
/// With `--codes` (`showsLabels` false) tables show codes only; JSON always carries both.
final class Labeller {
    private let db: any CacheReader
    let showsLabels: Bool
    private var labels: [String: DatasetLabels] = [:]
    private var structures: [String: DatasetStructure] = [:]
    private var structuresRead: Set<String> = []

    init(_ db: any CacheReader, showsLabels: Bool = true) {
        self.db = db
        self.showsLabels = showsLabels
    }

    /// Set by `preload`: the labels are all in memory, and the cache is not asked again.
    private var preloaded = false

    /// Reads the labels of every dataset of `sources` (all when nil) now: for output written
    /// while the cache streams rows, when asking it again from inside would re-enter it.
    func preload(sources: [String]?) throws {
        for info in try db.datasets(sources: sources) {
            _ = try labels(source: info.source, dataset: info.dataset)
            if let structure = info.structure { structures[info.source + "\u{0}" + info.dataset] = structure }
        }
        preloaded = true
    }

    /// The current labels of a dataset (empty when it has none).
    func labels(source: String, dataset: String) throws -> DatasetLabels {
        let id = source + "\u{0}" + dataset
        if let known = labels[id] { return known }
        if preloaded { return DatasetLabels() }
        let read = try db.labels(source: source, dataset: dataset)
        labels[id] = read
        return read
    }

    /// Reads the structures of `sources` in one go (a list of many series of many sources).
    func readStructures<Names: Sequence>(of sources: Names) throws where Names.Element == String {
        let wanted = Set(sources).subtracting(structuresRead).sorted()
        guard !preloaded, !wanted.isEmpty else { return }
        for info in try db.datasets(sources: wanted) {
            if let structure = info.structure { structures[info.source + "\u{0}" + info.dataset] = structure }
        }
        structuresRead.formUnion(wanted)
    }

    /// The stored structure of a dataset, nil without one. Read a source at a time (a series
    /// list may name a few sources of a cache of thousands).
    func structure(source: String, dataset: String) throws -> DatasetStructure? {
        if !preloaded && !structuresRead.contains(source) {
            for info in try db.datasets(sources: [source]) {
                if let structure = info.structure { structures[info.source + "\u{0}" + info.dataset] = structure }
            }
            structuresRead.insert(source)
        }
        return structures[source + "\u{0}" + dataset]
    }

    func name(source: String, dataset: String, dimension: String, code: String) throws -> String? {
        try labels(source: source, dataset: dataset).name(component: dimension, code: code)
    }

    /// `code name` for a table cell, the name cut to `width` characters; the code alone with
    /// `--codes` or when no name is stored. (The table escapes the cell.)
    func cell(source: String, dataset: String, dimension: String, code: String, width: Int = 32) throws -> String {
        guard showsLabels, let name = try name(source: source, dataset: dataset, dimension: dimension, code: code)
        else { return code }
        let shown = Self.displayName(name, code: code)
        return code + " " + TerminalText.line(shown, limit: max(8, width))
    }

    /// `{dimension: {code, name}}` for a series key, every dimension (name absent when none).
    func json(source: String, dataset: String, series: String) throws -> [String: CodeName] {
        guard let key = SeriesKey(canonical: series) else { return [:] }
        var out: [String: CodeName] = [:]
        for dimension in key.dimensions {
            out[dimension.id] = CodeName(
                code: dimension.value,
                name: try name(source: source, dataset: dataset, dimension: dimension.id, code: dimension.value))
        }
        return out
    }

    /// A name as shown beside its code: without a leading copy of the code that some lists
    /// put in their names (Comtrade's `6704 - Wigs…`). The stored name is unchanged.
    static func displayName(_ name: String, code: String) -> String {
        for separator in [" - ", " – ", ": ", " "] where name.hasPrefix(code + separator) {
            let rest = name.dropFirst(code.count + separator.count)
            if !rest.isEmpty { return String(rest) }
        }
        return name
    }

    /// The width a label may take in a table with `columns` labelled columns, from the
    /// terminal's width (`COLUMNS`, else 120 when it cannot be known).
    static func labelWidth(columns: Int, reserved: Int) -> Int {
        let total = Terminal.width ?? 120
        guard columns > 0 else { return 32 }
        return max(12, min(48, (total - reserved) / columns - 6))
    }
}

/// A code with its name, as `--json` shows it.
struct CodeName: Codable, Equatable {
    var code: String
    var name: String?
}

/// How the rows of one table split their series keys: the dimensions that differ between
/// rows get a column each; those every row shares are said once above the table.
struct KeyLayout {
    /// Dimension ids in key order (of the first key that has them).
    var varying: [String]
    /// (id, code) of the dimensions every key has with the same code.
    var shared: [(id: String, code: String)]

    init<Keys: Sequence>(_ keys: Keys) where Keys.Element == SeriesKey {
        var order: [String] = []
        var codes: [String: Set<String>] = [:]
        var present: [String: Int] = [:]
        var count = 0
        for key in keys {
            count += 1
            for dimension in key.dimensions {
                if codes[dimension.id] == nil { order.append(dimension.id) }
                codes[dimension.id, default: []].insert(dimension.value)
                present[dimension.id, default: 0] += 1
            }
        }
        varying = order.filter { (codes[$0]?.count ?? 0) > 1 || present[$0] != count }
        shared = order.compactMap { id in
            guard (codes[id]?.count ?? 0) == 1, present[id] == count, let code = codes[id]?.first else { return nil }
            return (id, code)
        }
    }
}

extension Labeller {
    /// The lines above a table that name what all its rows share: `PARTNER  408 Democratic…`.
    /// `names` gives names already known (a series list has them), else the labels are read.
    func sharedLines(
        source: String, dataset: String, layout: KeyLayout, names: [String: String]? = nil
    ) throws -> [String] {
        let width = max(layout.shared.map(\.id.count).max() ?? 0, 1)
        return try layout.shared.map { dimension in
            let padded = dimension.id.padding(toLength: width, withPad: " ", startingAt: 0)
            let cell =
                try names.map { self.cell(code: dimension.code, name: $0[dimension.id], width: 80) }
                ?? self.cell(source: source, dataset: dataset, dimension: dimension.id, code: dimension.code, width: 80)
            return "  " + TerminalText.line(padded) + "  " + TerminalText.line(cell)
        }
    }

    /// `code name` from a name already known.
    func cell(code: String, name: String?, width: Int) -> String {
        guard showsLabels, let name else { return code }
        return code + " " + TerminalText.line(Self.displayName(name, code: code), limit: max(8, width))
    }

    /// A title line for a dataset: `source / dataset — title`.
    func heading(source: String, dataset: String) throws -> String {
        var line = TerminalText.line(source) + " / " + TerminalText.line(dataset)
        if showsLabels, let title = try structure(source: source, dataset: dataset)?.names.preferred {
            line += " — " + TerminalText.line(title, limit: 80)
        }
        return line
    }
}
