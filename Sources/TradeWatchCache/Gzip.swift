import CZlib
import Foundation

/// gzip compression for stored raw payloads, over the system zlib.
enum Gzip {
    struct Failure: Error, CustomStringConvertible {
        var code: Int32
        var description: String { "zlib error \(code)" }
    }

    static func compress(_ input: Data, level: Int32 = 6) throws -> Data {
        try compress(chunks: { try $0(input) }, level: level)
    }

    /// Compresses what `chunks` hands over, one chunk at a time.
    static func compress(chunks: ((Data) throws -> Void) throws -> Void, level: Int32 = 6) throws -> Data {
        var stream = z_stream()
        guard tw_deflate_init_gzip(&stream, level) == Z_OK else { throw Failure(code: Z_STREAM_ERROR) }
        defer { deflateEnd(&stream) }
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        func run(_ input: UnsafeRawBufferPointer, flush: Int32) throws {
            stream.next_in = UnsafeMutablePointer(
                mutating: input.bindMemory(to: Bytef.self).baseAddress ?? UnsafePointer(bitPattern: 1))
            stream.avail_in = uInt(input.count)
            var status: Int32 = Z_OK
            repeat {
                let produced: Int = buffer.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    status = deflate(&stream, flush)
                    return target.count - Int(stream.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                    throw Failure(code: status)
                }
                output.append(contentsOf: buffer[0..<produced])
            } while stream.avail_out == 0 || (flush == Z_FINISH && status != Z_STREAM_END)
        }
        try chunks { chunk in try chunk.withUnsafeBytes { try run($0, flush: Z_NO_FLUSH) } }
        try run(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH)
        return output
    }

    static func decompress(_ input: Data) throws -> Data {
        var stream = z_stream()
        guard tw_inflate_init_auto(&stream) == Z_OK else { throw Failure(code: Z_STREAM_ERROR) }
        defer { inflateEnd(&stream) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var status: Int32 = Z_OK
        try input.withUnsafeBytes { source in
            stream.next_in = UnsafeMutablePointer(
                mutating: source.bindMemory(to: Bytef.self).baseAddress ?? UnsafePointer(bitPattern: 1))
            stream.avail_in = uInt(source.count)
            repeat {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return buffer.count - Int(stream.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END else { throw Failure(code: status) }
                output.append(contentsOf: chunk[0..<produced])
            } while status != Z_STREAM_END && (stream.avail_in > 0 || stream.avail_out == 0)
        }
        guard status == Z_STREAM_END else { throw Failure(code: Z_DATA_ERROR) }
        return output
    }
}
