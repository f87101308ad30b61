import Foundation
import Logging
import TradeWatchCache
import TradeWatchFetch
import TradeWatchModel

extension RawPayload {
    /// The payload to keep as proof of publication: the body as sent, unless it quotes one
    /// of `secrets` (in any form `SecretRedactor` knows), in which case the copy kept has
    /// each occurrence replaced and says so (`redacted`). The body is read in chunks, once
    /// to look and, when something was found, once more as it is stored.
    static func keeping(
        _ body: FetchBody, contentType: String?, keep: Int, secrets: [String]
    ) throws -> RawPayload {
        let redactor = SecretRedactor(secrets: secrets)
        var found = false
        if !redactor.isEmpty {
            var scan = redactor
            try body.withChunks { chunk in _ = scan.redact(chunk) }
            _ = scan.finish()
            found = scan.replacements > 0
        }
        guard found else {
            return RawPayload(size: Int(body.count), contentType: contentType, keep: keep) { consume in
                try body.withChunks(consume)
            }
        }
        var payload = RawPayload(size: Int(body.count), contentType: contentType, keep: keep) { consume in
            var redactor = redactor
            try body.withChunks { chunk in try consume(Data(redactor.redact(chunk))) }
            try consume(Data(redactor.finish()))
        }
        payload.redacted = true
        return payload
    }
}

/// Passes every log line on with the known secrets hidden from its message and metadata.
struct RedactingLogHandler: LogHandler {
    var wrapped: any LogHandler
    let secrets: [String]

    var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = "\(Redaction.text(event.message.description, hiding: secrets))"
        event.metadata = event.metadata?.mapValues { .string(Redaction.text("\($0)", hiding: secrets)) }
        wrapped.log(event: event)
    }
}

extension Logger {
    /// This logger, hiding `secrets` in every form from every line.
    func hiding(_ secrets: [String]) -> Logger {
        guard !secrets.isEmpty else { return self }
        var logger = self
        logger.handler = RedactingLogHandler(wrapped: handler, secrets: secrets)
        return logger
    }
}
