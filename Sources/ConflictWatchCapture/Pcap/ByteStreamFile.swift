import CPcap

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A read-only stdio `FILE` over a `CaptureByteStream` (glibc `fopencookie`, see CPcap/shim.h), so libpcap's own
/// pcap/pcapng readers can parse any byte source. libpcap closes the `FILE`, which releases the
/// stream.
enum ByteStreamFile {
    private final class Box {
        let stream: any CaptureByteStream
        init(_ stream: any CaptureByteStream) { self.stream = stream }
    }

    static func open(_ stream: any CaptureByteStream) -> UnsafeMutablePointer<FILE>? {
        let cookie = Unmanaged.passRetained(Box(stream)).toOpaque()
        var functions = conflictwatch_cookie_io_functions()
        functions.read = { cookie, buffer, size in
            guard let cookie, let buffer else { return -1 }
            let box = Unmanaged<Box>.fromOpaque(cookie).takeUnretainedValue()
            return box.stream.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: size))
        }
        functions.close = { cookie in
            if let cookie { Unmanaged<Box>.fromOpaque(cookie).release() }
            return 0
        }
        guard let file = conflictwatch_fopencookie(cookie, "r", functions) else {
            Unmanaged<Box>.fromOpaque(cookie).release()
            return nil
        }
        // The caller gives it a large buffer (`PcapHandle.enlargeBuffer`).
        return file
    }
}
