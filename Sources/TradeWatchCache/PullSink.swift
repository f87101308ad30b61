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

    /// Something the parser noticed without failing; recorded with the fetch.
    public func warn(_ message: String) { warnings.append(message) }
    private(set) var warnings: [String] = []
}
