import CCurl
import Foundation
import TradeWatchModel

/// Setting up one CURL easy handle for a transfer, and reading its result. Loop thread only.
enum EasyHandle {
    private static let allowedProtocols = "http,https"

    static func make(for transfer: Transfer, configuration: FetchConfiguration) throws -> UnsafeMutableRawPointer {
        let request = transfer.request
        let scheme = request.url.prefix { $0 != ":" }.lowercased()
        guard request.url.contains("://"), scheme == "http" || scheme == "https" else {
            if !request.url.contains("://") || scheme.isEmpty {
                throw FetchError(.invalidURL, "not an absolute http(s) URL", url: transfer.redactedURL)
            }
            throw FetchError(
                .protocolNotAllowed, "only http and https are fetched, not \(scheme)", url: transfer.redactedURL)
        }
        guard let easy = curl_easy_init() else {
            throw FetchError(.io, "libcurl could not create a handle (out of memory?)", url: transfer.redactedURL)
        }
        transfer.easy = easy
        let limits = request.limits
        var failed: CURLcode = CURLE_OK
        func check(_ code: CURLcode) { if code != CURLE_OK && failed == CURLE_OK { failed = code } }

        check(tw_easy_setopt_string(easy, CURLOPT_URL, request.url))
        check(tw_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, allowedProtocols))
        check(tw_easy_setopt_string(easy, CURLOPT_REDIR_PROTOCOLS_STR, allowedProtocols))
        check(tw_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 1))
        check(tw_easy_setopt_long(easy, CURLOPT_MAXREDIRS, limits.maxRedirects))
        check(tw_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, ""))  // every encoding libcurl decodes
        check(tw_easy_setopt_string(easy, CURLOPT_USERAGENT, configuration.userAgent))
        check(tw_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        check(tw_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1))
        check(tw_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2))
        check(tw_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS)))
        check(tw_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(limits.connectTimeout)))
        check(tw_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, milliseconds(limits.totalTimeout)))
        check(tw_easy_setopt_long(easy, CURLOPT_LOW_SPEED_LIMIT, max(1, limits.lowSpeedBytesPerSecond)))
        check(tw_easy_setopt_long(easy, CURLOPT_LOW_SPEED_TIME, max(1, milliseconds(limits.lowSpeedWindow) / 1000)))
        check(tw_easy_setopt_offset(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(limits.maxBytes)))
        check(tw_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, transfer.errorBufferPointer))

        var list: UnsafeMutablePointer<curl_slist>?
        func header(_ line: String) { list = curl_slist_append(list, line) }
        if let etag = request.etag { header("If-None-Match: \(etag)") }
        if let lastModified = request.lastModified { header("If-Modified-Since: \(lastModified)") }
        for (name, value) in request.headers { header("\(name): \(value)") }
        transfer.headerList = list
        if let list { check(tw_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list)) }

        let context = Unmanaged.passUnretained(transfer).toOpaque()
        check(tw_easy_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION, writeCallback))
        check(tw_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context))
        check(tw_easy_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION, headerCallback))
        check(tw_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context))

        guard failed == CURLE_OK else {
            throw FetchError(
                failed == CURLE_UNSUPPORTED_PROTOCOL ? .protocolNotAllowed : .invalidURL,
                "libcurl refused the request: \(String(cString: curl_easy_strerror(failed)))",
                url: transfer.redactedURL, curlCode: Int(failed.rawValue))
        }
        return easy
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    // MARK: Reading the result

    static func response(of transfer: Transfer, result: CURLcode) throws -> FetchResponse {
        guard let easy = transfer.easy else {
            throw FetchError(.io, "the transfer lost its handle", url: transfer.redactedURL)
        }
        let redact = { (text: String) in Redaction.text(Redaction.url(text), hiding: transfer.secrets) }
        var status = 0
        _ = tw_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        var redirects = 0
        _ = tw_easy_getinfo_long(easy, CURLINFO_REDIRECT_COUNT, &redirects)
        var effective: UnsafeMutablePointer<CChar>?
        _ = tw_easy_getinfo_string(easy, CURLINFO_EFFECTIVE_URL, &effective)
        let effectiveURL = effective.map { String(cString: $0) } ?? transfer.request.url
        let url = redact(effectiveURL)

        if result != CURLE_OK {
            throw error(for: result, transfer: transfer, url: url, status: status, redact: redact)
        }
        if let failure = transfer.ioFailure { throw FetchError(.io, failure, url: url, httpStatus: status) }
        if status == 429 || (status == 503 && transfer.headers["retry-after"] != nil) {
            let delay = transfer.headers["retry-after"].flatMap { RetryAfter.parse($0) }
            let wait = delay.map { " (retry after \($0.components.seconds) s)" } ?? ""
            throw FetchError(
                .rateLimited, "the server asks us to slow down: HTTP \(status)\(wait)", url: url, httpStatus: status,
                retryAfter: delay)
        }
        guard (200..<300).contains(status) || status == 304 else {
            let excerpt = Self.excerpt(transfer.takeBody(), contentType: transfer.headers["content-type"])
            throw FetchError(
                .httpStatus, "the server answered HTTP \(status)" + (excerpt.map { ": \(redact($0))" } ?? ""), url: url,
                httpStatus: status)
        }
        guard let body = transfer.takeBody() else {
            throw FetchError(.io, transfer.ioFailure ?? "the body could not be kept", url: url, httpStatus: status)
        }
        var downloaded: curl_off_t = 0
        _ = tw_easy_getinfo_offset(easy, CURLINFO_SIZE_DOWNLOAD_T, &downloaded)
        var headerBytes = 0
        _ = tw_easy_getinfo_long(easy, CURLINFO_HEADER_SIZE, &headerBytes)
        return FetchResponse(
            status: status, requestedURL: transfer.redactedURL, effectiveURL: url, redirects: redirects,
            permanentRedirect: transfer.permanentRedirect, headers: transfer.headers, body: body,
            duration: ContinuousClock.now - transfer.started, bytesOnWire: Int64(downloaded) + Int64(headerBytes))
    }

    private static func error(
        for result: CURLcode, transfer: Transfer, url: String, status: Int, redact: (String) -> String
    ) -> FetchError {
        let detail = transfer.curlErrorDetail
        let curlMessage = redact(detail.isEmpty ? String(cString: curl_easy_strerror(result)) : detail)
        let code: FetchError.Code
        var message: String
        switch result {
        case CURLE_UNSUPPORTED_PROTOCOL:
            code = .protocolNotAllowed
            message = "refused a redirect to a scheme other than http or https"
        case CURLE_URL_MALFORMAT:
            code = .invalidURL
            message = "the URL is malformed"
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            code = .dns
            message = "the host name does not resolve"
        case CURLE_COULDNT_CONNECT:
            code = .connect
            message = "cannot connect"
        case CURLE_OPERATION_TIMEDOUT:
            code = .timeout
            message =
                transfer.received > 0 || status != 0
                ? "the transfer timed out or became too slow" : "the server did not answer in time"
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            code = .tls
            message = "the TLS handshake or certificate check failed"
        case CURLE_TOO_MANY_REDIRECTS:
            code = .tooManyRedirects
            message = "more than \(transfer.request.limits.maxRedirects) redirects"
        case CURLE_FILESIZE_EXCEEDED:
            code = .tooLarge
            message = "the body is larger than the limit of \(transfer.request.limits.maxBytes) bytes"
        case CURLE_WRITE_ERROR where transfer.exceededLimit:
            code = .tooLarge
            message = "the body grew past the limit of \(transfer.request.limits.maxBytes) bytes"
        case CURLE_WRITE_ERROR where transfer.ioFailure != nil:
            code = .io
            message = transfer.ioFailure ?? ""
        case CURLE_ABORTED_BY_CALLBACK:
            code = .aborted
            message = "aborted"
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE:
            code = .io
            message = "the connection broke off"
        default:
            code = .io
            message = "the transfer failed"
        }
        message += " (curl \(result.rawValue): \(curlMessage))"
        return FetchError(
            code, message, url: url, curlCode: Int(result.rawValue), httpStatus: status == 0 ? nil : status)
    }
}

private func writeCallback(
    _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let buffer, let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let total = size * count
    return transfer.receiveBody(UnsafeRawBufferPointer(start: buffer, count: total)) ? total : 0
}

private func headerCallback(
    _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let buffer, let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let total = size * count
    transfer.receiveHeader(UnsafeRawBufferPointer(start: buffer, count: total).bindMemory(to: UInt8.self))
    return total
}

extension EasyHandle {
    /// What an error page says, in one short line: the `error` or `message` of a JSON body,
    /// else the start of a plain-text or XML body. HTML pages are not quoted.
    static func excerpt(_ body: FetchBody?, contentType: String?) -> String? {
        guard case .memory(let data)? = body, !data.isEmpty else { return nil }
        let type = contentType?.lowercased() ?? ""
        if type.contains("html") { return nil }
        if type.contains("json"),
            let object = try? JSONSerialization.jsonObject(with: data.prefix(64 << 10)) as? [String: Any]
        {
            for key in ["error", "message", "detail", "title"] {
                if let text = object[key] as? String, !text.isEmpty { return clip(text) }
            }
        }
        guard type.isEmpty || type.contains("text") || type.contains("xml") || type.contains("json") else { return nil }
        return clip(String(decoding: data.prefix(600), as: UTF8.self))
    }

    private static func clip(_ text: String) -> String? {
        let words = text.split(whereSeparator: { $0.isWhitespace || $0.isNewline })
        guard !words.isEmpty else { return nil }
        let line = words.joined(separator: " ")
        return line.count > 200 ? String(line.prefix(200)) + "…" : line
    }
}
