import Foundation
import TradeWatchModel

// TEMPORARY: placeholders so that every target builds while the labels work lands; replaced
// by SQLiteCache+Labels.swift. Never shipped.
extension SQLiteCache {
    public func datasets(sources: [String]?) throws -> [DatasetInfo] { throw Self.notYet }
    public func labels(source: String, dataset: String) throws -> DatasetLabels { throw Self.notYet }
    public func series(_ query: SeriesQuery) throws -> [SeriesSummary] { throw Self.notYet }
    public func labelHistory(_ query: LabelQuery) throws -> [LabelVersion] { throw Self.notYet }
    public func referenceStates(source: String) throws -> [ReferenceState] { throw Self.notYet }
    @discardableResult
    public func recordReference(_ fetch: ReferenceFetchToRecord) throws -> FetchRecord { throw Self.notYet }
    private static var notYet: CacheError { CacheError(.invalidArgument, "labels are not implemented yet") }
}
