public import TradeWatchFetch
public import TradeWatchFormats

/// A statistics payload that could not be read, as the daemon would report it: its code
/// (`StatisticsError.Code` wrapped, or `unexpected-format`) and one sentence naming the URL,
/// the place and the reason.
public struct StatisticsDecodingError: Error, Sendable, CustomStringConvertible {
    public var code: SyncErrorCode
    public var message: String

    public init(code: SyncErrorCode, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// The daemon's statistics decoding for callers outside the sync engine (`tradewatch
/// inspect`): the same format check, reader, dataset id, record cap and CSV mapping.
public enum StatisticsDecoding {
    /// Streams `body`, fetched from `url` (or read from the file `url` names), into `output`
    /// as the daemon would for `source`.
    public static func decode(
        _ body: FetchBody, source: SourceConfiguration, url: String, contentType: String?,
        into output: StatisticsOutput
    ) throws -> StatisticsSummary {
        do {
            let payload = try Payload(body: body, url: url, contentType: contentType)
            return try PayloadDecoder(source: source, url: url, contentType: contentType)
                .decodeStatistics(payload, into: output)
        } catch let failure as SyncFailure {
            throw StatisticsDecodingError(code: failure.code, message: failure.message)
        }
    }
}
