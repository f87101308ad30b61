public import TradeWatchModel

/// Receives one pull's records inside the recording transaction; see `PullContent.produce`.
/// Valid only while the `produce` closure runs.
public final class PullSink {
    private let observations: ObservationReconciler

    init(observations: ObservationReconciler) {
        self.observations = observations
    }

    /// One observation; a key the pull repeats keeps its last occurrence.
    public func add(_ observation: Observation) throws { try observations.add(observation) }

    /// A deletion named by a delta pull (SDMX `action="Delete"`).
    public func delete(_ key: ObservationKey) throws { try observations.delete(key) }

    /// A code's name that came with the data (Comtrade `includeDesc`, a CSV label column):
    /// added or revised, never withdrawing others. A label the pull repeats keeps its last
    /// occurrence.
    public func label(_ label: CodeLabel, dataset: String) { additiveLabels[LabelIdentity(dataset, label)] = label }

    /// Labels and structures a payload defines (see `LabelBatch.complete`).
    public func labels(_ batch: LabelBatch) { batches.append(batch) }

    struct LabelIdentity: Hashable {
        var dataset: String
        var component: String
        var code: String
        var language: String
        init(_ dataset: String, _ label: CodeLabel) {
            self.dataset = dataset
            self.component = label.component
            self.code = label.code
            self.language = label.language
        }
    }
    private(set) var additiveLabels: [LabelIdentity: CodeLabel] = [:]
    private(set) var batches: [LabelBatch] = []

    /// Something the parser noticed without failing; recorded with the fetch.
    public func warn(_ message: String) { warnings.append(message) }
    private(set) var warnings: [String] = []
}
