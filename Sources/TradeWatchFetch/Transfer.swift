import CCurl
import Foundation
import Synchronization
import TradeWatchModel

/// The part of a transfer other threads may touch: its id and whether its task was cancelled.
final class TransferTicket: Sendable {
    let id: UInt64
    private let cancelledFlag = Mutex(false)

    init(id: UInt64) { self.id = id }

    var isCancelled: Bool { cancelledFlag.withLock { $0 } }
    func cancel() { cancelledFlag.withLock { $0 = true } }
}

/// One transfer's state. Lives on the multi loop's thread only, from submission until its
/// continuation is resumed; libcurl's callbacks reach it through an unretained pointer while
/// the loop's table keeps it alive.
final class Transfer: @unchecked Sendable {  // handed to the loop thread once, touched only there after
    let ticket: TransferTicket
    let request: FetchRequest
    let hostKey: String
    let continuation: CheckedContinuation<FetchResponse, any Error>
    let redactedURL: String
    /// The request's secrets and those written in its URL, hidden from every message.
    let secrets: [String]
    private let memoryThreshold: Int
    private let temporaryDirectory: String

    var easy: UnsafeMutableRawPointer?
    var headerList: UnsafeMutablePointer<curl_slist>?
    /// libcurl writes its detailed error message here; the address must stay put.
    private let errorBuffer: UnsafeMutablePointer<CChar> = {
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        buffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        return buffer
    }()
    var errorBufferPointer: UnsafeMutableRawPointer { UnsafeMutableRawPointer(errorBuffer) }
    var started = ContinuousClock.now

    // Body
    private var memory = Data()
    private var file: UnsafeMutablePointer<FILE>?
    private var filePath: String?
    private(set) var received: Int64 = 0
    private(set) var exceededLimit = false
    private(set) var ioFailure: String?

    // Headers of the current response, and the responses seen on the way (one per hop).
    private(set) var headers = HTTPHeaders()
    private(set) var hops: [(url: String, status: Int)] = []

    init(
        ticket: TransferTicket, request: FetchRequest, continuation: CheckedContinuation<FetchResponse, any Error>,
        memoryThreshold: Int, temporaryDirectory: String
    ) {
        self.ticket = ticket
        self.request = request
        self.continuation = continuation
        self.memoryThreshold = memoryThreshold
        self.temporaryDirectory = temporaryDirectory
        self.hostKey = Transfer.hostKey(request.url)
        self.secrets = request.secrets + Redaction.secrets(inURL: request.url)
        self.redactedURL = Redaction.text(Redaction.url(request.url), hiding: secrets)
    }

    /// scheme://host:port, lowercased: the unit the per-host limit counts.
    static func hostKey(_ url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host else { return url }
        let scheme = components.scheme?.lowercased() ?? ""
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        return "\(scheme)://\(host.lowercased()):\(port)"
    }

    // MARK: libcurl callbacks

    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let count = Int64(bytes.count)
        if received + count > request.limits.maxBytes {
            exceededLimit = true
            return false
        }
        received += count
        if let file {
            guard fwrite(bytes.baseAddress, 1, bytes.count, file) == bytes.count else {
                ioFailure =
                    "cannot write the body to \(filePath ?? "a temporary file"): \(String(cString: strerror(errno)))"
                return false
            }
            return true
        }
        memory.append(bytes.assumingMemoryBound(to: UInt8.self))
        if memory.count > memoryThreshold { return spill() }
        return true
    }

    private func spill() -> Bool {
        var template = Array((temporaryDirectory + "/tradewatch-body-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemp(base)
        }
        let path = String(nulTerminated: template)
        guard descriptor >= 0, let stream = fdopen(descriptor, "w+") else {
            ioFailure = "cannot create a temporary file in \(temporaryDirectory): \(String(cString: strerror(errno)))"
            if descriptor >= 0 { close(descriptor) }
            return false
        }
        file = stream
        filePath = path
        let written = memory.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, stream) }
        guard written == memory.count else {
            ioFailure = "cannot write the body to \(path): \(String(cString: strerror(errno)))"
            return false
        }
        memory = Data()
        return true
    }

    /// One header line as libcurl delivers it (status lines included), parsed at the byte level:
    /// Foundation's trimming would cost more than the rest of the transfer.
    func receiveHeader(_ line: UnsafeBufferPointer<UInt8>) {
        var start = line.startIndex
        var end = line.endIndex
        func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 10 || byte == 13 }
        while start < end, isSpace(line[start]) { start += 1 }
        while end > start, isSpace(line[end - 1]) { end -= 1 }
        guard start < end else { return }
        let text = UnsafeBufferPointer(rebasing: line[start..<end])
        if text.starts(with: "HTTP/".utf8) {
            // "HTTP/1.1 301 Moved Permanently": the status is the second field.
            var status = 0
            if let space = text.firstIndex(of: 32) {
                var index = space + 1
                while index < text.endIndex, (48...57).contains(text[index]) {
                    status = status * 10 + Int(text[index] - 48)
                    index += 1
                }
            }
            hops.append((currentURL(), status))
            headers = HTTPHeaders()
            return
        }
        guard let colon = text.firstIndex(of: UInt8(ascii: ":")) else { return }
        var valueStart = colon + 1
        while valueStart < text.endIndex, isSpace(text[valueStart]) { valueStart += 1 }
        var nameEnd = colon
        while nameEnd > text.startIndex, isSpace(text[nameEnd - 1]) { nameEnd -= 1 }
        headers.append(
            name: String(decoding: UnsafeBufferPointer(rebasing: text[..<nameEnd]), as: UTF8.self),
            value: String(decoding: UnsafeBufferPointer(rebasing: text[valueStart...]), as: UTF8.self))
    }

    private func currentURL() -> String {
        var pointer: UnsafeMutablePointer<CChar>?
        guard let easy, tw_easy_getinfo_string(easy, CURLINFO_EFFECTIVE_URL, &pointer) == CURLE_OK, let pointer else {
            return request.url
        }
        return String(cString: pointer)
    }

    // MARK: Completion

    /// The body as received, closing any spill file. Nil (with `ioFailure` set) on failure.
    func takeBody() -> FetchBody? {
        guard let file, let filePath else { return .memory(memory) }
        self.file = nil
        guard fflush(file) == 0 else {
            ioFailure = "cannot write the body to \(filePath): \(String(cString: strerror(errno)))"
            fclose(file)
            unlink(filePath)
            return nil
        }
        fclose(file)
        self.filePath = nil
        return .file(TemporaryFile(path: filePath, size: received))
    }

    /// The URL to use from now on when every redirect before it was permanent.
    var permanentRedirect: String? {
        var index = 0
        while index < hops.count, hops[index].status == 301 || hops[index].status == 308 { index += 1 }
        guard index > 0, index < hops.count else { return nil }
        return hops[index].url
    }

    /// Releases the easy handle, header list and any unfinished spill file.
    func cleanUp() {
        if let easy { curl_easy_cleanup(easy) }
        easy = nil
        if let headerList { curl_slist_free_all(headerList) }
        headerList = nil
        if let file { fclose(file) }
        file = nil
        if let filePath { unlink(filePath) }
        filePath = nil
    }

    var curlErrorDetail: String { String(cString: errorBuffer) }

    deinit {
        cleanUp()
        errorBuffer.deallocate()
    }
}

extension String {
    /// The text before the first NUL of a C character buffer, decoded as UTF-8.
    init(nulTerminated buffer: [CChar]) {
        let end = buffer.firstIndex(of: 0) ?? buffer.endIndex
        self = String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
