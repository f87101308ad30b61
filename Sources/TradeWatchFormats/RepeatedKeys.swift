import TradeWatchModel

/// Notices observations a message gives more than once under the same key (dataset, series,
/// period). The cache can keep only one figure per key; a reader says so in its warnings,
/// naming the keys and how often each came, rather than letting figures collapse silently.
///
/// Memory: one 8-byte hash per distinct key, with the set's slack and growth about 26 bytes
/// per observation at the peak (measured: +15.5 MiB reading 617,184 SDMX-JSON observations);
/// the keys themselves only for the first few that repeat. Two different keys sharing a 64-bit hash would be reported
/// as a repeat: for a message of ten million observations the odds are about one in 300,000.
final class RepeatedKeys {
    /// How many repeated keys a warning names.
    static let named = 5

    private var seen = Set<Int>()
    private var repeatedHashes = Set<Int>()
    /// The first keys that repeated, in the order they did, with how often each came.
    private var first: [(key: ObservationKey, times: Int)] = []
    private var repeatedObservations = 0

    func note(_ observation: Observation) {
        var hasher = Hasher()
        hasher.combine(observation.dataset)
        hasher.combine(observation.series.canonical)
        hasher.combine(observation.period.text)
        let hash = hasher.finalize()
        // The sets are updated as locals (see `take`), so that no access to them overlaps.
        var seen = take(&self.seen, leaving: [])
        let new = seen.insert(hash).inserted
        self.seen = seen
        guard !new else { return }
        repeatedObservations += 1
        let key = ObservationKey(
            dataset: observation.dataset, series: observation.series.canonical, period: observation.period.text)
        var first = take(&self.first, leaving: [])
        var repeated = take(&repeatedHashes, leaving: [])
        if let index = first.firstIndex(where: { $0.key == key }) {
            first[index].times += 1
        } else if repeated.insert(hash).inserted, first.count < Self.named {
            first.append((key, 2))
        }
        self.first = first
        repeatedHashes = repeated
    }

    /// The warning for the summary, or nil when every key came once.
    var warning: String? {
        guard repeatedObservations > 0 else { return nil }
        let keys = repeatedHashes.count
        var text =
            "the message gives \(keys) key\(keys == 1 ? "" : "s") more than once (\(repeatedObservations) repeated observation\(repeatedObservations == 1 ? "" : "s"); the cache keeps the last of each): "
        text += first.map { "\($0.key) (\($0.times) times)" }.joined(separator: ", ")
        if keys > first.count { text += " and \(keys - first.count) more" }
        return text
    }
}

extension StatisticsOutput {
    /// This output, with every added observation noted in `keys` first; deletions and labels
    /// pass through.
    func noting(_ keys: RepeatedKeys) -> StatisticsOutput {
        let add = self.add
        return StatisticsOutput(
            add: { observation in
                keys.note(observation)
                try add(observation)
            }, delete: delete, label: label)
    }
}

extension StatisticsSummary {
    /// Adds the repeated-keys warning, if any.
    mutating func append(_ keys: RepeatedKeys) {
        if let warning = keys.warning { warnings.append(warning) }
    }
}
