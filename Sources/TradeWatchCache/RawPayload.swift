public import Foundation

/// The bytes a server sent, to keep as proof of what was published. They are handed over in
/// chunks and compressed as they come, so a body spilled to disk is never held whole.
public struct RawPayload: Sendable {
    /// Size of the body as sent, in bytes.
    public var size: Int
    public var contentType: String?
    /// How many of this source's most recent payloads to keep.
    public var keep: Int
    /// True when the body quoted a secret and the copy kept has it replaced.
    public var redacted = false
    /// Hands the body to its argument in chunks, from the start, each time it is called.
    let chunks: @Sendable (_ consume: (Data) throws -> Void) throws -> Void

    public init(data: Data, contentType: String?, keep: Int) {
        self.init(size: data.count, contentType: contentType, keep: keep) { try $0(data) }
    }

    public init(
        size: Int, contentType: String?, keep: Int,
        chunks: @escaping @Sendable (_ consume: (Data) throws -> Void) throws -> Void
    ) {
        self.size = size
        self.contentType = contentType
        self.keep = keep
        self.chunks = chunks
    }
}
