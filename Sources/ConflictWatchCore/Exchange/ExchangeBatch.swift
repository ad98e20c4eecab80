/// Exchanges copied out of a reconstructor's buffers so they can cross to the pipeline's task as
/// one value (SPEC §4 capture → the daemon's model): one byte arena and fixed-size records, kept
/// and reused batch after batch, so a warmed-up batch costs no allocation per exchange. Carries
/// what the model reads (time, client, method, path, status, latency); a view handed out by
/// `forEach` is valid only inside the call.
public struct ExchangeBatch: Sendable {
    struct Record: Sendable {
        var time: Int64
        var latencyMicros: Int64
        var bytes: Int64
        var status: Int32
        var clientEnd: UInt32
        var methodEnd: UInt32
        var pathEnd: UInt32
    }

    private var arena: [UInt8] = []
    private var records: [Record] = []

    public init(capacity: Int = 512) {
        records.reserveCapacity(capacity)
        arena.reserveCapacity(capacity * 64)
    }

    public var count: Int { records.count }
    public var isEmpty: Bool { records.isEmpty }

    public mutating func append(_ x: ExchangeView) {
        arena.append(contentsOf: x.client)
        let clientEnd = UInt32(arena.count)
        arena.append(contentsOf: x.method)
        let methodEnd = UInt32(arena.count)
        arena.append(contentsOf: x.path)
        records.append(Record(time: x.time, latencyMicros: x.latencyMicros, bytes: x.bytes, status: x.status,
                              clientEnd: clientEnd, methodEnd: methodEnd, pathEnd: UInt32(arena.count)))
    }

    /// Each exchange as a view into the arena, in order.
    public func forEach(_ body: (ExchangeView) -> Void) {
        arena.withUnsafeBytes { bytes in
            var x = ExchangeView()
            var start = 0
            for r in records {
                x.time = r.time
                x.latencyMicros = r.latencyMicros
                x.bytes = r.bytes
                x.status = r.status
                x.client = bytes.slice(start, Int(r.clientEnd))
                x.method = bytes.slice(Int(r.clientEnd), Int(r.methodEnd))
                x.path = bytes.slice(Int(r.methodEnd), Int(r.pathEnd))
                start = Int(r.pathEnd)
                body(x)
            }
        }
    }

    /// Empties the batch for reuse, keeping its memory.
    public mutating func removeAll() {
        arena.removeAll(keepingCapacity: true)
        records.removeAll(keepingCapacity: true)
    }
}
