import ConflictWatchCore

/// The live interfaces' packet counters summed for the status (`conflictwatch_packets_total`,
/// `conflictwatch_packets_dropped_total{reason}`): each interface's report is as of its last
/// statistics tick, so the sums trail the capture by at most a tick.
public struct CapturePacketCounts: Sendable, Equatable {
    public var packets: UInt64 = 0
    public var kernelDrops: UInt64 = 0
    public var interfaceDrops: UInt64 = 0

    public init(_ reports: [CaptureReport]) {
        for r in reports {
            packets &+= r.packets
            kernelDrops &+= r.kernelDrops ?? 0
            interfaceDrops &+= r.interfaceDrops ?? 0
        }
    }
}
