import ConflictWatchCore

/// Packets in, HTTP exchanges out: decodes each frame down to TCP, keeps connections in a
/// bounded table (max flows, idle timeout in traffic time), and lets each connection
/// reassemble and decode its streams. Synchronous and single-owner, like the log pipeline:
/// one packet costs a table lookup and, in steady keep-alive traffic, no allocation.
public struct ExchangeReconstructor {
    public let linkType: LinkType
    var decoder: PacketDecoder
    var context: CaptureContext
    var index: FlowTable
    var connections: ContiguousArray<Connection> = []
    var flowsCreated = 0
    /// Latest traffic time seen; idle flows are swept against it.
    var clock: Int64 = .min
    var nextSweep: Int64 = .min
    var segment = TCPSegment()

    static let sweepInterval: Int64 = 1_000_000

    public init(linkType: LinkType, configuration: CaptureConfiguration = CaptureConfiguration()) {
        self.linkType = linkType
        decoder = PacketDecoder(linkType: linkType)
        context = CaptureContext(configuration: configuration)
        index = FlowTable(capacity: min(configuration.maxFlows, 4096))
    }

    /// Connections currently tracked.
    public var flowCount: Int { connections.count }

    /// Counters so far, including the packet decoder's.
    public var report: CaptureReport {
        var r = context.counters
        r.linkType = linkType.name
        r.undecodable = decoder.undecodable
        r.fragments = decoder.fragments
        r.nonTCP = decoder.nonTCP
        r.truncatedPackets = decoder.truncated
        return r
    }

    /// Handles one frame captured at `time` (epoch µs).
    @inline(__always)
    public mutating func process(time: Int64, frame: UnsafeRawBufferPointer, sink: (inout ExchangeView, Int) -> Void) {
        context.counters.packets &+= 1
        guard decoder.decode(frame, into: &segment) else { return }
        if time > clock {
            clock = time
            if time >= nextSweep {
                if nextSweep != .min { sweep(sink: sink) }
                nextSweep = time + Self.sweepInterval
            }
        }
        let key = FlowKey(segment)
        let direction = key.direction(of: segment)
        var i: Int
        if let found = index.find(key) {
            i = Int(found)
            if segment.isSYN, !segment.hasACK, isReused(i, direction) {
                finishConnection(at: i, sink: sink)
                i = create(key, time: time, sink: sink)
            }
        } else {
            // A bare ACK, FIN or RST of a connection we never saw carries nothing to decode.
            guard segment.isSYN || segment.wireLength > 0 else { return }
            i = create(key, time: time, sink: sink)
        }
        connections[i].handle(segment, direction: direction, time: time, context: &context, sink: sink)
        if connections[i].closed { remove(at: i) }
    }

    /// Live capture: time passes even when no packet arrives; idle flows are closed by it.
    public mutating func advanceClock(to time: Int64, sink: (inout ExchangeView, Int) -> Void) {
        guard time > clock else { return }
        clock = time
        if time >= nextSweep {
            sweep(sink: sink)
            nextSweep = time + Self.sweepInterval
        }
    }

    /// End of input: every connection is finished and its waiting requests reported.
    public mutating func finish(sink: (inout ExchangeView, Int) -> Void) {
        for i in connections.indices {
            connections[i].finish(context: &context, sink: sink)
        }
        connections.removeAll()
        index.removeAll()
        context.bufferedBytes = 0
    }

    /// A SYN on a known connection whose direction already started elsewhere: the port pair was
    /// reused for a new connection.
    func isReused(_ i: Int, _ d: Int) -> Bool {
        let stream = connections[i].dirs[d].stream
        return stream.started && stream.nextSequence != segment.sequence &+ 1
    }

    mutating func create(_ key: FlowKey, time: Int64, sink: (inout ExchangeView, Int) -> Void) -> Int {
        if connections.count >= context.configuration.maxFlows { makeRoom(sink: sink) }
        flowsCreated += 1
        context.counters.flows &+= 1
        connections.append(Connection(key: key, number: flowsCreated, time: time, configuration: context.configuration))
        let i = connections.count - 1
        index.set(key, Int32(i))
        return i
    }

    mutating func finishConnection(at i: Int, sink: (inout ExchangeView, Int) -> Void) {
        connections[i].finish(context: &context, sink: sink)
        remove(at: i)
    }

    mutating func remove(at i: Int) {
        index.remove(connections[i].key)
        let last = connections.count - 1
        if i != last {
            connections.swapAt(i, last)
            index.set(connections[i].key, Int32(i))
        }
        connections.removeLast()
    }

    /// Closes connections idle for longer than the timeout.
    mutating func sweep(sink: (inout ExchangeView, Int) -> Void) {
        let limit = clock - context.configuration.idleTimeoutMicros
        var i = connections.count - 1
        while i >= 0 {
            if connections[i].lastSeen < limit {
                context.counters.idleFlows &+= 1
                finishConnection(at: i, sink: sink)
            }
            i -= 1
        }
    }

    /// The table is full: close idle flows, else the least recently active sixteenth, so a
    /// flood of new connections costs O(log n) per connection, not a scan each.
    mutating func makeRoom(sink: (inout ExchangeView, Int) -> Void) {
        sweep(sink: sink)
        guard connections.count >= context.configuration.maxFlows else { return }
        let victims = max(1, connections.count / 16)
        let oldest = connections.indices.sorted { connections[$0].lastSeen < connections[$1].lastSeen }.prefix(victims)
        let keys = oldest.map { connections[$0].key }
        for key in keys {
            guard let i = index.find(key) else { continue }
            context.counters.evictedFlows &+= 1
            finishConnection(at: Int(i), sink: sink)
        }
    }
}
