import CZlib

/// Inflates a gzip stream (several concatenated members allowed, as `cat a.gz b.gz` or
/// logrotate produce) from an upstream source. A stream that ends mid-member is reported as
/// truncated after every complete line before the cut has been delivered.
public final class GzipSource: ByteSource {
    private var upstream: any ByteSource
    private let path: String
    private var stream = z_stream()
    private var input: UnsafeMutableRawBufferPointer
    private var pending: [UInt8]
    private var upstreamDone = false
    private var memberOpen = false
    private var finished = false
    private var deferredError: IngestError? = nil

    public var totalBytes: UInt64? { upstream.totalBytes }
    public var bytesConsumed: UInt64 { upstream.bytesConsumed }

    /// `initial` holds bytes already read from upstream (the sniffed magic).
    public init(upstream: any ByteSource, path: String, initial: [UInt8]) throws(IngestError) {
        self.upstream = upstream
        self.path = path
        pending = initial
        input = .allocate(byteCount: 256 * 1024, alignment: 16)
        // 15 + 16: gzip wrapper only, maximum window.
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            input.deallocate()
            throw .corruptGzip(path: path, reason: "zlib initialisation failed")
        }
        memberOpen = true
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    private func refill() throws(IngestError) {
        if !pending.isEmpty {
            let n = min(pending.count, input.count)
            pending.withUnsafeBytes { src in input.baseAddress!.copyMemory(from: src.baseAddress!, byteCount: n) }
            pending.removeFirst(n)
            stream.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_in = UInt32(n)
            return
        }
        let n = try upstream.read(into: input)
        if n == 0 { upstreamDone = true }
        stream.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_in = UInt32(n)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int {
        if let e = deferredError { deferredError = nil; finished = true; throw e }
        if finished { return 0 }
        stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = UInt32(buffer.count)
        var failure: IngestError? = nil
        while stream.avail_out > 0 {
            if stream.avail_in == 0 {
                if !upstreamDone { try refill() }
                if stream.avail_in == 0 {
                    if memberOpen { failure = .truncatedGzip(path: path) }
                    break
                }
            }
            if !memberOpen {
                // Another member follows (concatenated gzip): start it fresh.
                inflateReset(&stream)
                memberOpen = true
            }
            let rc = inflate(&stream, Z_NO_FLUSH)
            if rc == Z_STREAM_END {
                memberOpen = false
            } else if rc != Z_OK && rc != Z_BUF_ERROR {
                let msg = stream.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                failure = .corruptGzip(path: path, reason: msg)
                break
            }
        }
        let produced = buffer.count - Int(stream.avail_out)
        if let failure {
            // Hand out what was inflated before the damage first; fail on the next call.
            if produced > 0 { deferredError = failure; return produced }
            finished = true
            throw failure
        }
        if produced == 0 { finished = true }
        return produced
    }
}
