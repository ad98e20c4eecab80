/// Where a capture file's packets come from: libpcap (`PcapHandle`, any format) or the classic
/// pcap reader of our own (`PcapFileReader`). Packets are read on one thread; a packet's bytes
/// are valid until the next `next()`.
public protocol CapturePacketSource: AnyObject {
    var linkType: LinkType { get }
    func next() -> PcapHandle.ReadResult
    /// Compiles and installs a BPF filter (tcpdump syntax); packets it refuses are skipped.
    func setFilter(_ expression: String) throws(PcapError)
}

extension PcapHandle: CapturePacketSource {}
