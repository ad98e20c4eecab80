import CPcap

#if canImport(Glibc)
import ConflictWatchCore
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The one owner of a libpcap handle (`pcap_t`): opens a file, a byte stream or an interface,
/// hands out packets, and closes the handle when it goes away. Errors carry libpcap's message.
///
/// Packets are read on one thread. Only `breakLoop()` may be called from another (libpcap
/// documents `pcap_breakloop` as safe for that), hence `@unchecked Sendable`.
public final class PcapHandle: @unchecked Sendable {
    private let raw: OpaquePointer
    public let linkType: LinkType
    /// The stdio buffer of the file libpcap reads, when it is ours: freed after libpcap closed
    /// the file.
    private let fileBuffer: UnsafeMutableRawPointer?

    private init(raw: OpaquePointer, fileBuffer: UnsafeMutableRawPointer? = nil) {
        self.raw = raw
        self.fileBuffer = fileBuffer
        linkType = LinkType(dlt: pcap_datalink(raw))
    }

    deinit {
        pcap_close(raw)
        free(fileBuffer)
    }

    /// stdio's buffer for a capture file: libpcap reads each record header and then its data
    /// with two freads, and glibc's default buffer (one 4 KiB page) made that 15,800 read calls
    /// for a 64 MB capture, on the thread that decodes every packet. `setvbuf` ignores the size
    /// unless it is given the memory too.
    static let fileBufferSize = 1 << 20

    /// Gives `file` a buffer of `fileBufferSize` bytes, to free once the file is closed.
    static func enlargeBuffer(of file: UnsafeMutablePointer<FILE>) -> UnsafeMutableRawPointer? {
        guard let buffer = malloc(fileBufferSize) else { return nil }
        guard setvbuf(file, buffer.assumingMemoryBound(to: CChar.self), _IOFBF, fileBufferSize) == 0 else {
            free(buffer)
            return nil
        }
        return buffer
    }

    static func text(_ buffer: [CChar]) -> String {
        let end = buffer.firstIndex(of: 0) ?? buffer.count
        return String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// One step of reading: a packet (its bytes valid until the next call), nothing yet (live
    /// timeout), the end (of the file, or `breakLoop`), or a failure with libpcap's message.
    public enum ReadResult {
        case packet(time: Int64, data: UnsafeRawBufferPointer, wireLength: Int)
        case timeout
        case end
        case failure(String)
    }

    /// Opens a pcap or pcapng file by path.
    public static func open(path: String) throws(PcapError) -> PcapHandle {
        // Opened here rather than by libpcap, for the buffer (`fileBufferSize`).
        guard let file = fopen(path, "rb") else {
            throw PcapError(.cannotOpen, "\(path): \(String(cString: strerror(errno)))")
        }
        return try open(file: file, name: path)
    }

    /// libpcap takes `file` (it closes it), read through a large buffer.
    /// `reason` turns libpcap's message into the one to give.
    private static func open(
        file: UnsafeMutablePointer<FILE>, name: String, reason: (String) -> String = { $0 }
    ) throws(PcapError) -> PcapHandle {
        let buffer = enlargeBuffer(of: file)
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let p = pcap_fopen_offline_with_tstamp_precision(file, UInt32(PCAP_TSTAMP_PRECISION_MICRO), &errbuf) else {
            fclose(file)
            free(buffer)
            throw PcapError(.cannotOpen, "\(name): \(reason(Self.text(errbuf)))")
        }
        return PcapHandle(raw: p, fileBuffer: buffer)
    }

    /// Reads a pcap or pcapng file from any byte stream (stdin, gzip); `name` is for messages.
    public static func open(stream: any CaptureByteStream, name: String) throws(PcapError) -> PcapHandle {
        guard let file = ByteStreamFile.open(stream) else {
            throw PcapError(.cannotOpen, "\(name): cannot set up a stream reader: \(String(cString: strerror(errno)))")
        }
        return try open(file: file, name: name) { "not a readable capture: \(stream.failure ?? $0)" }
    }

    /// Opens an interface for live capture (needs CAP_NET_RAW) and applies the filter.
    public static func openLive(_ settings: LiveCaptureSettings) throws(PcapError) -> PcapHandle {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        let iface = settings.interface
        guard let p = pcap_create(iface, &errbuf) else {
            throw PcapError(.cannotOpen, "cannot capture on \(iface): \(Self.text(errbuf))")
        }
        pcap_set_snaplen(p, settings.snapLength)
        pcap_set_promisc(p, settings.promiscuous ? 1 : 0)
        pcap_set_timeout(p, settings.timeoutMillis)
        pcap_set_buffer_size(p, settings.bufferBytes)
        let rc = pcap_activate(p)
        if rc < 0 {
            let detail = String(cString: pcap_geterr(p))
            pcap_close(p)
            switch rc {
            case PCAP_ERROR_PERM_DENIED, PCAP_ERROR_PROMISC_PERM_DENIED:
                throw PcapError.permissionDenied(interface: iface, detail: detail)
            case PCAP_ERROR_NO_SUCH_DEVICE:
                throw PcapError(.noSuchDevice, "cannot capture on \(iface): no such interface (\(detail)); `ip link` lists them, `any` captures on all")
            case PCAP_ERROR_IFACE_NOT_UP:
                throw PcapError(.interfaceDown, "cannot capture on \(iface): the interface is down; bring it up with `ip link set \(iface) up`")
            default:
                throw PcapError(.cannotOpen, "cannot capture on \(iface): \(String(cString: pcap_statustostr(rc))): \(detail)")
            }
        }
        let handle = PcapHandle(raw: p)
        if let filter = settings.filter { try handle.setFilter(filter) }
        return handle
    }

    /// Checks that a BPF expression compiles (for Ethernet), before anything is opened: a typo
    /// is a usage error, not a failed run.
    public static func checkFilter(_ expression: String) throws(PcapError) {
        guard let dead = pcap_open_dead(1, 262_144) else { return }
        defer { pcap_close(dead) }
        var program = bpf_program()
        guard pcap_compile(dead, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw PcapError(.badFilter, "filter '\(expression)' does not compile: \(String(cString: pcap_geterr(dead)))")
        }
        pcap_freecode(&program)
    }

    /// Compiles and installs a BPF filter (tcpdump syntax).
    public func setFilter(_ expression: String) throws(PcapError) {
        var program = bpf_program()
        guard pcap_compile(raw, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw PcapError(.badFilter, "filter '\(expression)' does not compile: \(String(cString: pcap_geterr(raw)))")
        }
        defer { pcap_freecode(&program) }
        guard pcap_setfilter(raw, &program) == 0 else {
            throw PcapError(.badFilter, "filter '\(expression)' cannot be installed: \(String(cString: pcap_geterr(raw)))")
        }
    }

    @inline(__always)
    public func next() -> ReadResult {
        var header: UnsafeMutablePointer<pcap_pkthdr>? = nil
        var data: UnsafePointer<UInt8>? = nil
        switch pcap_next_ex(raw, &header, &data) {
        case 1:
            guard let h = header?.pointee, let data else { return .timeout }
            let time = Int64(h.ts.tv_sec) &* 1_000_000 &+ Int64(h.ts.tv_usec)
            return .packet(time: time, data: UnsafeRawBufferPointer(start: data, count: Int(h.caplen)), wireLength: Int(h.len))
        case 0:
            return .timeout
        case PCAP_ERROR_BREAK:
            return .end
        default:
            return .failure(String(cString: pcap_geterr(raw)))
        }
    }

    /// Kernel counters of a live capture (`pcap_stats`): packets received, dropped for lack of
    /// buffer space, dropped by the interface. Nil for files.
    public func statistics() -> (received: UInt64, dropped: UInt64, interfaceDropped: UInt64)? {
        var s = pcap_stat()
        guard pcap_stats(raw, &s) == 0 else { return nil }
        return (UInt64(s.ps_recv), UInt64(s.ps_drop), UInt64(s.ps_ifdrop))
    }

    /// Bytes of the capture file read so far (when libpcap opened the file itself), for progress.
    public var fileOffset: UInt64? {
        guard let f = pcap_file(raw) else { return nil }
        let o = ftello(f)
        return o >= 0 ? UInt64(o) : nil
    }

    /// In non-blocking mode `next()` returns `.timeout` at once when nothing is ready.
    public func setNonBlocking(_ on: Bool) {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        _ = pcap_setnonblock(raw, on ? 1 : 0, &errbuf)
    }

    /// Waits (at most `timeoutMillis`) until the handle has packets to read; false on timeout.
    /// With a non-blocking handle this bounds the wait itself: on Linux (TPACKET_V3) a blocking
    /// read does not return after its timeout while no packet arrives, so the last packets of a
    /// burst would wait for the next burst.
    @discardableResult
    public func waitForPackets(timeoutMillis: Int32) -> Bool {
        let fd = pcap_get_selectable_fd(raw)
        guard fd >= 0 else {
            usleep(useconds_t(timeoutMillis) * 1000)
            return true
        }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, timeoutMillis) > 0
    }

    /// Makes the reading thread's `next()` return `.end` soon; safe from any thread.
    public func breakLoop() { pcap_breakloop(raw) }
}
