public import TradeWatchModel

/// Where a statistics parser hands its records, one at a time, so that a message of millions
/// of observations never sits in memory. The sync engine connects it to the cache's pull.
public struct StatisticsOutput {
    public var add: (Observation) throws -> Void
    /// A deletion the message names (SDMX `action="Delete"`).
    public var delete: (ObservationKey) throws -> Void
    /// A code's name the message carries beside its data (Comtrade's descriptions, a CSV
    /// label column), for the dataset named first.
    public var label: (String, CodeLabel) throws -> Void

    public init(
        add: @escaping (Observation) throws -> Void, delete: @escaping (ObservationKey) throws -> Void,
        label: @escaping (String, CodeLabel) throws -> Void = { _, _ in }
    ) {
        self.add = add
        self.delete = delete
        self.label = label
    }
}

/// How reading a statistics message went.
public struct StatisticsSummary: Sendable, Equatable {
    public var observations = 0
    public var deletions = 0
    /// Things a user should know that did not stop the read (a result cut at the record cap).
    public var warnings: [String] = []

    public init() {}
}

/// A statistics message that cannot be used, with where and why.
public struct StatisticsError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// Not the format expected, or broken.
        case malformed
        /// The publisher answered with an error instead of data.
        case publisherError = "publisher-error"
        /// The data is not ready yet (Eurostat's asynchronous answer); ask again later.
        case notReady = "not-ready"
        /// Valid syntax with a value that cannot be right (a period in the wrong format).
        case invalidValue = "invalid-value"
    }

    public var code: Code
    /// Where: `record 12`, `line 40, column 3`, `row 7`.
    public var place: String?
    public var message: String
    /// For `notReady`: where the publisher will put the answer.
    public var pollURL: String?

    public init(_ code: Code, _ message: String, place: String? = nil, pollURL: String? = nil) {
        self.code = code
        self.message = message
        self.place = place
        self.pollURL = pollURL
    }

    public var description: String { (place.map { "\($0): " } ?? "") + message }
}
