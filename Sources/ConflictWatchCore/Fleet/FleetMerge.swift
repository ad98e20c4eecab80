/// The fleet aggregator's merge (SPEC §7): the agents' summaries, each a stream in the order its
/// agent accounted them, become one stream in traffic-time order, released only up to the
/// watermark — the oldest traffic clock among the live agents — so a slow agent's exchanges are
/// never accounted after a faster one's later ones. Ties go to the agent whose name sorts first,
/// so the merged order, and everything the model makes of it, depends only on what was shipped.
///
/// Where each stream stands (`positions`) is stored with the model's state in one transaction:
/// an aggregator that takes over reads the summaries from there and skips what was accounted.
public struct FleetMerge {
    /// Where an agent's stream stands: the next record to account is record `index` of summary
    /// `seq` (or the first of the next summary stored); `clock` is its traffic clock as of the
    /// last summary taken in.
    public struct Position: Codable, Sendable, Equatable {
        public var seq: Int64
        public var index: Int
        public var clock: Int64
        public init(seq: Int64, index: Int, clock: Int64) {
            self.seq = seq
            self.index = index
            self.clock = clock
        }
    }

    struct Stream {
        var name: String
        var queue: [(seq: Int64, records: FleetSummaryRecords)] = []
        var head = 0
        var index = 0
        var nextSeq: Int64
        var clock: Int64
        /// The head record's time; .max when nothing is queued.
        var headTime: Int64 = .max
        /// How many records the head summary holds (its cursor's `count`, kept here so that
        /// the merge never reads through `cursor!` without mutating: that copied the cursor).
        var headCount = 0
        /// Reads the head summary (at `index`); nil when nothing is queued.
        var cursor: FleetSummaryRecords.Cursor?
    }

    /// Sorted by name.
    private var streams: [Stream] = []
    /// Nothing older than this is released any more.
    public private(set) var watermark: Int64 = .min

    public init(positions: [String: Position] = [:], watermark: Int64 = .min) {
        for (name, p) in positions {
            streams.append(Stream(name: name, index: p.index, nextSeq: p.seq, clock: p.clock))
        }
        streams.sort { $0.name < $1.name }
        self.watermark = watermark
    }

    public var streamNames: [String] { streams.map(\.name) }

    /// The first summary sequence number not yet taken in for `stream` (fetch from here).
    public func nextSeq(of stream: String) -> Int64 {
        streams.first { $0.name == stream }.map(\.nextSeq) ?? 1
    }

    /// Exchanges taken in and not yet released.
    public var pending: Int {
        var n = 0
        for s in streams {
            for q in s.queue[s.head...] { n += q.records.count }
            n -= s.queue.count > s.head ? s.index : 0
        }
        return n
    }

    /// Where each stream stands, for the store.
    public var positions: [String: Position] {
        var out: [String: Position] = [:]
        for s in streams {
            out[s.name] = s.head < s.queue.count
                ? Position(seq: s.queue[s.head].seq, index: s.index, clock: s.clock)
                : Position(seq: s.nextSeq, index: 0, clock: s.clock)
        }
        return out
    }

    /// Takes in summary `seq` of `stream` (summaries of a stream in increasing `seq`; one already
    /// taken in is ignored, so fetching from a stored position twice doubles nothing). A
    /// summary partly accounted before a takeover resumes at its stored index.
    public mutating func add(stream name: String, seq: Int64, records: FleetSummaryRecords) {
        var i = streams.firstIndex { $0.name == name } ?? -1
        if i < 0 {
            streams.append(Stream(name: name, nextSeq: 1, clock: .min))
            streams.sort { $0.name < $1.name }
            i = streams.firstIndex { $0.name == name }!
        }
        guard seq >= streams[i].nextSeq else { return }
        // A summary after the stored position's one: the stored index belonged to a summary
        // that is gone (never the case unless rows were deleted by hand); start it whole.
        if streams[i].head == streams[i].queue.count, seq > streams[i].nextSeq { streams[i].index = 0 }
        streams[i].queue.append((seq, records))
        streams[i].nextSeq = seq + 1
        streams[i].clock = max(streams[i].clock, records.clock)
        Self.settle(&streams[i])
    }

    /// Moves the stream's head past exhausted summaries and caches its time.
    private static func settle(_ s: inout Stream) {
        while s.head < s.queue.count, s.index >= s.queue[s.head].records.count {
            s.head += 1
            s.index = 0
            s.cursor = nil
        }
        if s.head == s.queue.count {
            s.queue.removeAll(keepingCapacity: true)
            s.head = 0
            s.headTime = .max
            s.cursor = nil
        } else {
            if s.cursor == nil {
                s.cursor = s.queue[s.head].records.makeCursor()
                s.headCount = s.queue[s.head].records.count
            }
            s.headTime = Self.seek(&s.cursor!, to: s.index)
        }
    }

    /// Puts record `index` under `cursor`; its time. The cursor is taken `inout` so that it is
    /// read in place.
    @inline(__always)
    private static func seek(_ cursor: inout FleetSummaryRecords.Cursor, to index: Int) -> Int64 {
        cursor.seek(index)
        return cursor.time
    }

    /// The watermark the `live` streams allow now: the oldest of their clocks (a stream that
    /// has shipped nothing yet holds nobody up), never moving back.
    public func watermark(live: Set<String>) -> Int64 {
        var w = Int64.max
        for s in streams where live.contains(s.name) && s.clock != .min { w = min(w, s.clock) }
        return w == .max ? watermark : max(w, watermark)
    }

    /// Releases, in traffic-time order, every exchange taken in up to `upTo` (the watermark from
    /// `watermark(live:)`), calling `body` with the stream's name index and the exchange (valid
    /// during the call). Returns how many it released.
    @discardableResult
    public mutating func release(upTo limit: Int64, _ body: (Int, inout ExchangeView) -> Void) -> Int {
        if limit > watermark { watermark = limit }
        let watermark = watermark
        var x = ExchangeView()
        var n = 0
        // The streams' storage for the whole release (`body` cannot reach this merge): going
        // through the array for every record checked its uniqueness and retained the head
        // summary's object to read its count, a tenth of the aggregator's samples.
        streams.withUnsafeMutableBufferPointer { streams in
            while true {
                var best = -1
                var bestTime = Int64.max
                for i in streams.indices where streams[i].headTime < bestTime {
                    best = i
                    bestTime = streams[i].headTime
                }
                guard best >= 0, bestTime <= watermark else { return }
                streams[best].cursor!.read(into: &x)
                body(best, &x)
                n += 1
                streams[best].index += 1
                // The next record of the same summary (the common case) is one step on; the
                // end of a summary goes through `settle`.
                if streams[best].index < streams[best].headCount {
                    streams[best].headTime = Self.seek(&streams[best].cursor!, to: streams[best].index)
                } else {
                    Self.settle(&streams[best])
                }
            }
        }
        return n
    }
}
