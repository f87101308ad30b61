import Foundation
import Logging
import ServiceLifecycle
import TradeWatchCache
import TradeWatchSync

/// Runs SQLite's `PRAGMA quick_check` on the cache when the daemon starts and then once per
/// `interval` (a day), on a reader connection and a thread of its own so syncs go on
/// meanwhile. A failure stops every write (`CacheHealth`), is logged with the way to recover,
/// and is recorded next to the cache (`<cache>.damaged`) for `tradewatch status`.
struct CacheCheckService<C: Clock>: Service where C.Duration == Duration {
    let cache: any CacheWriter
    let scheduler: SyncScheduler
    let logger: Logger
    let clock: C
    var interval: Duration = .seconds(24 * 3600)

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await check()
                try await clock.sleep(for: interval)
            }
        }
    }

    private func check() async {
        let outcome = await Self.quickCheck(cache)
        switch outcome {
        case .success(let problems) where problems.isEmpty:
            logger.info("cache quick_check passed", metadata: ["cache": "\(cache.location)"])
            cache.clearRecordedDamage()
        case .success(let problems):
            let damage = CacheDamage(detectedAt: Date(), problems: problems)
            cache.health.markDamaged(damage)
            do {
                try cache.recordDamage(damage)
            } catch {
                logger.error("cannot record the damage next to the cache: \(error)")
            }
            let found = problems.prefix(3).joined(separator: "; ")
            logger.critical(
                "the cache is damaged; writes are stopped: \(found). To recover: \(CacheDamage.recovery)",
                metadata: ["cache": "\(cache.location)"])
            await scheduler.cacheDamaged()
        case .failure(let error):
            logger.warning("cache quick_check could not run: \(error)", metadata: ["cache": "\(cache.location)"])
        }
    }

    /// `quickCheck` on a thread of its own: it reads the whole file and would otherwise hold
    /// one of the few cooperative threads for as long.
    static func quickCheck(_ cache: any CacheWriter) async -> Result<[String], any Error> {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: Result { try cache.quickCheck() }) }
            thread.name = "tradewatch-quick-check"
            thread.start()
        }
    }
}
