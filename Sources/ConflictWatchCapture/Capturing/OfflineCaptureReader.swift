import ConflictWatchCore

/// Reads a capture file to its end (through libpcap or `PcapFileReader`) and the reconstructor.
/// A damaged file (truncated, corrupt record) stops the reading with libpcap's message;
/// everything before it counts and every connection is still finished.
public struct OfflineCaptureReader {
    public var configuration: CaptureConfiguration

    public init(configuration: CaptureConfiguration = CaptureConfiguration()) {
        self.configuration = configuration
    }

    public struct Result {
        public var report: CaptureReport
        /// Why reading stopped before the end, if it did.
        public var error: String?
    }

    /// `progress(packets so far)` is called every 65,536 packets.
    public func run(
        _ handle: PcapHandle, progress: (UInt64) -> Void = { _ in }, onExchange: (inout ExchangeView, Int) -> Void
    ) -> Result {
        read(handle, progress: progress, onExchange: onExchange)
    }

    public func run(
        _ reader: PcapFileReader, progress: (UInt64) -> Void = { _ in }, onExchange: (inout ExchangeView, Int) -> Void
    ) -> Result {
        read(reader, progress: progress, onExchange: onExchange)
    }

    /// One loop for both sources, specialised for each here: a generic called from another
    /// module would reach `next()` through the protocol's witness table, once per packet.
    @inline(__always)
    private func read<Source: CapturePacketSource>(
        _ handle: Source, progress: (UInt64) -> Void, onExchange: (inout ExchangeView, Int) -> Void
    ) -> Result {
        var error: String? = nil
        guard handle.linkType.isSupported else {
            var report = CaptureReport()
            report.linkType = handle.linkType.name
            return Result(report: report, error: "link type \(handle.linkType.name) is not supported (Ethernet, Linux cooked SLL/SLL2, NULL/LOOP, raw IP and NFLOG are)")
        }
        if let filter = configuration.filter {
            do { try handle.setFilter(filter) } catch { return Result(report: CaptureReport(), error: error.description) }
        }
        var reconstructor = ExchangeReconstructor(linkType: handle.linkType, configuration: configuration)
        var packets: UInt64 = 0
        reading: while true {
            switch handle.next() {
            case .packet(let time, let data, _):
                reconstructor.process(time: time, frame: data, sink: onExchange)
                packets &+= 1
                if packets & 0xFFFF == 0 { progress(packets) }
            case .timeout:
                continue
            case .end:
                break reading
            case .failure(let message):
                error = message
                break reading
            }
        }
        reconstructor.finish(sink: onExchange)
        progress(packets)
        return Result(report: reconstructor.report, error: error)
    }
}
