import Foundation
import TradeWatchCache

/// An export that was refused or could not be written: a stable code and one sentence that
/// names the path and the reason.
public struct ExportError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        /// The destination is not something an export may replace (a file, a foreign folder,
        /// a link, a previous export without `--force`).
        case refused = "export-refused"
        /// A system call on the destination or its folder failed (permissions, a missing or
        /// read-only folder, a file where a folder should be).
        case fileSystem = "export-file-system"
        /// Writing the export's files failed (disk full, file too large, the cache failing).
        case write = "export-write"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// The sentence for a failed system call while exporting to `target`.
    static func system(_ failure: SystemCalls.Failure, target: String, doing what: String) -> ExportError {
        ExportError(.fileSystem, "cannot export to \(target): \(what) \(failure.path) failed (\(failure.reason))")
    }

    /// Any error thrown while writing the files, as one sentence: Foundation's and SQLite's
    /// errors carry a POSIX code or a message of their own, never shown as a dump.
    static func writing(_ error: any Error, target: String) -> any Error {
        switch error {
        case let error as ExportError: return error
        case let error as CacheError: return error
        case let failure as SystemCalls.Failure:
            return ExportError(.write, "cannot write the export for \(target): \(failure.path): \(failure.reason)")
        default:
            let reason: String
            let nsError = error as NSError
            if nsError.domain == NSPOSIXErrorDomain {
                reason = String(cString: strerror(Int32(truncatingIfNeeded: nsError.code)))
            } else if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
                underlying.domain == NSPOSIXErrorDomain
            {
                reason = String(cString: strerror(Int32(truncatingIfNeeded: underlying.code)))
            } else if nsError.domain == NSCocoaErrorDomain {
                reason = nsError.localizedDescription
            } else {
                reason = String(describing: error)
            }
            return ExportError(.write, "cannot write the export for \(target): \(reason)")
        }
    }
}
