public import Foundation

/// How the cache recorded one fetch.
public struct FetchRecord: Sendable {
    public enum Outcome: String, Sendable, Codable {
        case changed
        case unchanged
        case notModified = "not-modified"
        case failed
    }

    public var fetchID: Int64
    public var outcome: Outcome
    /// The revision the fetch created, when it changed anything.
    public var revision: RevisionSummary?
    /// The warnings recorded with the fetch.
    public var warnings: [String] = []
}

/// One revision: a fetch that changed something, with how much it changed.
public struct RevisionSummary: Sendable, Hashable, Codable {
    public var id: Int64
    public var source: String
    public var fetchID: Int64?
    public var createdAt: Date
    public var added: Int
    public var changed: Int
    public var removed: Int
    /// Labels and structures it added, changed or withdrew (each code in each language, and
    /// each dataset's structure, counts once).
    public var labels: Int

    public init(
        id: Int64, source: String, fetchID: Int64?, createdAt: Date, added: Int, changed: Int, removed: Int,
        labels: Int = 0
    ) {
        self.id = id
        self.source = source
        self.fetchID = fetchID
        self.createdAt = createdAt
        self.added = added
        self.changed = changed
        self.removed = removed
        self.labels = labels
    }
}
