import ArgumentParser
import Foundation
import Logging
import TradeWatchCache
import TradeWatchDaemon
import TradeWatchSync

extension TradeWatchDaemon {
    /// Takes the cache's lock (exit 75, EX_TEMPFAIL, when another tradewatchd holds it), then
    /// opens the cache, creating it 0640 in a 0750 folder when it is new.
    static func openCacheAlone(at path: String, logger: Logger, notifier: SystemdNotifier) throws -> SQLiteCache {
        // `--db` and the default path skip the configuration's check: a file that is not a
        // tradewatch cache is refused here, before anything (the lock included) is written.
        if case .other(let reason) = SQLiteCache.identify(path: path) {
            let said = reason.hasPrefix("is ") ? String(reason.dropFirst(3)) : reason
            logger.critical("\(path): \(said); name a new file or an existing tradewatch cache")
            throw ExitCode(1)
        }
        do {
            try CacheFiles.createDirectories(URL(fileURLWithPath: path).deletingLastPathComponent().path)
            _ = try CacheLock(cache: path)
        } catch let failure as CacheLock.Failure {
            logger.critical("\(failure)")
            if case .held = failure { throw ExitCode(75) }
            throw ExitCode(1)
        } catch {
            logger.critical("cannot open the cache: \(error)", metadata: ["cache": "\(path)"])
            throw ExitCode(1)
        }
        warnIfWorldReadable(path, logger: logger)
        do {
            // A cache from before the change log has it filled in first: say so after each batch,
            // and ask systemd for more start time (each batch takes seconds, not minutes).
            return try SQLiteCache(path: path) { progress in
                logger.notice(
                    "filling in the change log of older revisions (once, after an upgrade)",
                    metadata: [
                        "rows": "\(progress.rows)", "batches": "\(progress.batches)",
                        "revisions_left": "\(progress.revisionsLeft)",
                    ])
                notifier.send(
                    "EXTEND_TIMEOUT_USEC=120000000\nSTATUS=filling in the change log: \(progress.revisionsLeft) revisions left"
                )
            }
        } catch {
            logger.critical("cannot open the cache: \(error)", metadata: ["cache": "\(path)"])
            throw ExitCode(1)
        }
    }

    /// A cache made by an older tradewatch (or copied in) may be readable by every local user.
    private static func warnIfWorldReadable(_ path: String, logger: Logger) {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & 0o007 != 0 else { return }
        logger.warning(
            "the cache is readable by every local user; to keep it to the service's group: chmod 0640 \(path)*",
            metadata: ["cache": "\(path)", "mode": "\(String(status.st_mode & 0o777, radix: 8))"])
    }

    /// `--once` on a cache a daemon found damaged: checks again (it may have been restored
    /// since) and refuses to write, exit 1, while the damage is still there.
    static func recheckRecordedDamage(_ cache: any CacheStore, logger: Logger) async throws {
        guard cache.recordedDamage() != nil else { return }
        let problems = try await CacheCheckService<ContinuousClock>.quickCheck(cache).get()
        guard problems.isEmpty else {
            logger.critical(
                "the cache is damaged: \(problems.prefix(3).joined(separator: "; ")). To recover: \(CacheDamage.recovery)",
                metadata: ["cache": "\(cache.location)"])
            throw ExitCode(1)
        }
        cache.clearRecordedDamage()
    }

    /// The control socket bound, or nil (and a logged reason) when it cannot be.
    static func controlListener(at path: String, logger: Logger) -> ControlListener? {
        do {
            return try ControlListener(path: path)
        } catch {
            logger.error("control socket disabled: \(error)")
            return nil
        }
    }
}
