/// Something that yields bytes: a file, stdin, a decompressor. `read` returns 0 at the end.
public protocol ByteSource {
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int
    /// Total size when known (for progress), else nil.
    var totalBytes: UInt64? { get }
    /// Compressed/raw bytes consumed so far (for progress).
    var bytesConsumed: UInt64 { get }
}
