import TradeWatchModel

/// The names of the per-dataset tables: one stem per (source, dataset), used for the files
/// (`STEM.csv`, `STEM.ndjson`) and for the table in `snapshot.sqlite`.
///
/// Source and dataset ids are publisher (or configuration) text, so a stem is built from
/// them, never copied: each id is kept as it is when it is made only of ASCII letters, digits,
/// `_` and `-`, does not start with `-` and is at most `componentLimit` bytes; otherwise its
/// other characters become `_`, it is cut, and the stem gets a third part, the first hex
/// digits of the SHA-256 of the exact (source, dataset). So a stem holds no path separator,
/// never starts with a dot or a dash, fits any file system's name limit, and depends on its
/// own ids alone. The one exception: stems that differ only in case (`T` and `t`, one file on
/// a case-insensitive disk, one table name in SQLite) all take the hash, in any export that
/// holds both.
enum DatasetTableNames {
    static let componentLimit = 80

    /// The stem of each (source, dataset) of one export.
    static func stems(for datasets: [DatasetID]) -> [DatasetID: String] {
        let unique = Array(Set(datasets))
        var digits = [DatasetID: Int]()
        var plain = [DatasetID: (stem: String, lossy: Bool)]()
        for id in unique {
            let source = component(id.source, isFirst: true)
            let dataset = component(id.dataset, isFirst: false)
            plain[id] = (source.text + "." + dataset.text, source.lossy || dataset.lossy)
            if source.lossy || dataset.lossy { digits[id] = 8 }
        }
        func stem(_ id: DatasetID) -> String {
            let base = plain[id]?.stem ?? "_._"
            guard let count = digits[id] else { return base }
            return base + "." + String(hash(id).prefix(count))
        }
        // Stems equal but for case take (longer) hashes until none are: with 64 digits only
        // a SHA-256 collision could remain.
        for _ in 0..<3 {
            var groups = [String: [DatasetID]]()
            for id in unique { groups[stem(id).lowercased(), default: []].append(id) }
            let clashing = groups.values.filter { $0.count > 1 }
            if clashing.isEmpty { break }
            for group in clashing {
                for id in group {
                    let current = digits[id] ?? 0
                    digits[id] = current < 8 ? 8 : current < 16 ? 16 : 64
                }
            }
        }
        var result = [DatasetID: String]()
        for id in unique { result[id] = stem(id) }
        return result
    }

    /// Whether `name` is a dataset file an export may write: `STEM.csv` or `STEM.ndjson`
    /// with a stem of the form `stems` makes.
    static func isDatasetFile(_ name: String) -> Bool {
        let base: Substring
        if name.hasSuffix(".csv") {
            base = name.dropLast(4)
        } else if name.hasSuffix(".ndjson") {
            base = name.dropLast(7)
        } else {
            return false
        }
        let parts = base.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else { return false }
        for part in parts.prefix(2) {
            guard !part.isEmpty, part.utf8.count <= componentLimit, part.first != "-",
                part.utf8.allSatisfy(isKept)
            else { return false }
        }
        if parts.count == 3 {
            let hash = parts[2]
            guard [8, 16, 64].contains(hash.utf8.count),
                hash.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
            else { return false }
        }
        return true
    }

    /// `SQLite` reserves table names starting with `sqlite_`; a source id that would make one
    /// is changed (and so hashed) like any other unsafe id.
    private static func component(_ text: String, isFirst: Bool) -> (text: String, lossy: Bool) {
        var out = ""
        var lossy = false
        for byte in text.utf8 {
            if out.utf8.count >= componentLimit {
                lossy = true
                break
            }
            if isKept(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                lossy = true
                // One `_` per character, not per byte of a multi-byte one.
                if byte & 0xC0 != 0x80 { out.append("_") }
            }
        }
        if out.isEmpty || out.first == "-" || (isFirst && out.lowercased().hasPrefix("sqlite_")) {
            out = "_" + out
            lossy = true
            if out.utf8.count > componentLimit { out = String(out.prefix(componentLimit)) }
        }
        return (out, lossy)
    }

    private static func isKept(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == 95 || byte == 45
    }

    private static func hash(_ id: DatasetID) -> String {
        SHA256.hex(Array(id.source.utf8) + [0] + Array(id.dataset.utf8))
    }
}

/// One dataset of one source.
struct DatasetID: Hashable, Comparable, Sendable {
    var source: String
    var dataset: String

    static func < (lhs: DatasetID, rhs: DatasetID) -> Bool { (lhs.source, lhs.dataset) < (rhs.source, rhs.dataset) }
}
