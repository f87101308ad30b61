public import Logging
import Synchronization
import TradeWatchModel

/// The only code in tradewatch that talks HTTP: GETs over libcurl's multi interface on one
/// dedicated thread, bridged to async/await.
///
/// Many transfers run at once within a global and a per-host limit; connections are reused;
/// cancelling the calling task aborts its transfer. Call `shutdown()` before dropping it.
public final class Fetcher: Sendable {
    public let configuration: FetchConfiguration
    private let loop: MultiLoop
    private let ids = IDSource()
    private let logger: Logger

    public init(configuration: FetchConfiguration = FetchConfiguration(), logger: Logger? = nil) throws {
        self.configuration = configuration
        self.loop = try MultiLoop(configuration: configuration)
        self.logger = logger ?? Logger(label: "tradewatch.fetch")
    }

    /// Performs `request`. Returns the response for 2xx and 304; throws `FetchError` for
    /// everything else, including HTTP errors and rate limiting.
    public func fetch(_ request: FetchRequest) async throws -> FetchResponse {
        let ticket = TransferTicket(id: ids.next())
        let threshold = configuration.memoryThreshold
        let directory = configuration.temporaryDirectory
        let url = Redaction.text(
            Redaction.url(request.url), hiding: request.secrets + Redaction.secrets(inURL: request.url))
        logger.debug("fetch start", metadata: ["url": "\(url)"])
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                loop.submit(
                    Transfer(
                        ticket: ticket, request: request, continuation: continuation, memoryThreshold: threshold,
                        temporaryDirectory: directory))
            }
        } onCancel: {
            loop.cancel(ticket)
        }
    }

    /// Aborts every transfer in flight and stops the fetcher's thread. Also done when the
    /// fetcher is released.
    public func shutdown() {
        loop.shutdown()
    }

    deinit { loop.shutdown() }
}

/// Increasing transfer ids.
private final class IDSource: Sendable {
    private let counter = Mutex<UInt64>(0)

    func next() -> UInt64 {
        counter.withLock {
            $0 += 1
            return $0
        }
    }
}
