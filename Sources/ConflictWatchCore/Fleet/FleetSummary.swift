/// One shipment of a fleet agent: its bytes (`FleetSummaryWriter`'s format) and what the store
/// keeps beside them to merge without decoding — how many exchanges, their time span, and the
/// agent's traffic clock when it was taken.
public struct FleetSummary: Sendable, Equatable {
    /// Magic, record count, clock.
    static let headerBytes = 4 + 4 + 8

    public var bytes: [UInt8]
    public var count: Int
    public var firstTime: Int64?
    public var lastTime: Int64?
    /// The agent's traffic clock: no later exchange of this agent can be older than this
    /// summary's last one, and none is missing up to here.
    public var clock: Int64

    public init(bytes: [UInt8], count: Int, firstTime: Int64?, lastTime: Int64?, clock: Int64) {
        self.bytes = bytes
        self.count = count
        self.firstTime = firstTime
        self.lastTime = lastTime
        self.clock = clock
    }
}
