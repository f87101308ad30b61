import Foundation
import TradeWatchModel

/// Writes an export's row file, through a buffer so that millions of rows cost few system
/// calls, hashing what it writes: RFC 4180 CSV rows (comma, CRLF line ends, fields quoted when
/// they hold a comma, quote, CR or LF) with `writeRow`, or NDJSON lines with `writeLine`.
public final class RowFileWriter {
    private let path: String
    private var fd: Int32
    private var buffer = [UInt8]()
    private let flushThreshold = 1 << 20
    public private(set) var bytesWritten: Int64 = 0
    /// SHA-256 of everything flushed so far: the manifest needs it, and hashing on the way out
    /// saves reading the file back.
    private var hasher = SHA256()

    /// Creates the file at `path`, which must not exist yet.
    public init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw SystemCalls.Failure(call: "open", path: path, code: errno) }
        buffer.reserveCapacity(flushThreshold + 4096)
    }

    deinit { if fd >= 0 { _ = SystemCalls.closeDescriptor(fd) } }

    public func writeRow(_ fields: [String?]) throws {
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            if let field { append(field) }
        }
        buffer.append(13)
        buffer.append(10)
        if buffer.count >= flushThreshold { try flush() }
    }

    /// Writes one row of UTF-8 fields (nil for empty), quoted by the same rule as `writeRow`.
    public func writeRow(bytes fields: [UnsafeBufferPointer<UInt8>?]) throws {
        try writeRow(count: fields.count) { fields[$0] }
    }

    /// Writes one row of `count` UTF-8 fields that `field` gives by index (nil for empty),
    /// quoted by the same rule as `writeRow`: the export's path, with no array per row.
    public func writeRow(count: Int, _ field: (Int) -> UnsafeBufferPointer<UInt8>?) throws {
        // The buffer is taken out for the row: one exclusive access instead of one per byte run.
        var out = [UInt8]()
        swap(&out, &buffer)
        for index in 0..<count {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            guard let field = field(index) else { continue }
            if field.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }) {
                out.append(UInt8(ascii: "\""))
                for byte in field {
                    if byte == UInt8(ascii: "\"") { out.append(byte) }
                    out.append(byte)
                }
                out.append(UInt8(ascii: "\""))
            } else {
                out.append(contentsOf: field)
            }
        }
        out.append(13)
        out.append(10)
        swap(&out, &buffer)
        if buffer.count >= flushThreshold { try flush() }
    }

    /// Writes `line` and a LF as they are (for NDJSON files, which share the buffering).
    public func writeLine(_ line: String) throws {
        buffer.append(contentsOf: line.utf8)
        buffer.append(10)
        if buffer.count >= flushThreshold { try flush() }
    }

    /// One CSV line (without its CRLF), quoted by the same rule the writer follows.
    public static func csvLine(_ fields: [String?]) -> String {
        fields.map { field -> String in
            guard let field else { return "" }
            guard needsQuotes(field) else { return field }
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: ",")
    }

    /// RFC 4180: a field holding a comma, a quote, CR or LF is quoted.
    static func needsQuotes(_ field: String) -> Bool {
        field.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
    }

    private func append(_ field: String) {
        let utf8 = field.utf8
        guard Self.needsQuotes(field) else {
            buffer.append(contentsOf: utf8)
            return
        }
        buffer.append(UInt8(ascii: "\""))
        for byte in utf8 {
            if byte == UInt8(ascii: "\"") { buffer.append(byte) }
            buffer.append(byte)
        }
        buffer.append(UInt8(ascii: "\""))
    }

    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try SystemCalls.writeAll(fd, buffer, path: path)
        bytesWritten += Int64(buffer.count)
        hasher.update(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes the file to disk and closes it; returns its size and SHA-256.
    ///
    /// `sync: false` leaves the flush to disk to the export's last step (every file in the
    /// staging folder is synced before it is moved into place): an export of a thousand
    /// dataset tables would otherwise wait for a thousand flushes one after the other, while
    /// the kernel can write them out in the background.
    @discardableResult
    public func close(sync: Bool = true) throws -> WrittenFile {
        try flush()
        guard !sync || fsync(fd) == 0 else { throw SystemCalls.Failure(call: "fsync", path: path, code: errno) }
        let closed = SystemCalls.closeDescriptor(fd)
        fd = -1
        guard closed == 0 else { throw SystemCalls.Failure(call: "close", path: path, code: errno) }
        return WrittenFile(bytes: bytesWritten, sha256: hasher.finalizeHex())
    }
}

/// What a writer put on disk.
public struct WrittenFile: Sendable {
    public var bytes: Int64
    public var sha256: String
}
