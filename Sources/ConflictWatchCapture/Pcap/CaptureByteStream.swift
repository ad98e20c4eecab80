/// Where a capture file's bytes come from when libpcap should not open the path itself:
/// stdin, a gzip stream, bytes already sniffed. `read` returns 0 at the end and -1 on failure
/// (then `failure` says why).
public protocol CaptureByteStream: AnyObject {
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int
    var failure: String? { get }
}
