import ConflictWatchCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Exchanges the reading thread parsed, on their way to the accounting thread: the bytes the
/// accounting reads (client, method, path) copied into one arena, each exchange's hashes and
/// route index beside them, plus what the accounting must apply in step — a new route's bytes,
/// the normalizer after it learned, the source's progress and its end. Routed by whichever
/// thread holds the route resolver (`RoutingPlacement`), always before it is accounted. Owned by
/// one thread at a time (`BatchQueue` hands it over); reused, so a warmed-up batch allocates
/// nothing.
/// `analyze` (`RoutingReader`) and the daemon (`TailReader`) both hand these over; the fleet
/// aggregator fills, routes and accounts its merged exchanges through one on its own thread.
package final class RoutedBatch: ReusableBatch, @unchecked Sendable {
    /// Batches in flight: enough that neither thread waits on the other's jitter and that a
    /// waiting thread is woken for half of them at once (`BatchQueue`), few enough that they
    /// stay in the last-level cache (16 arenas of 64 KiB).
    package static let depth = 16
    /// How many exchanges ahead the two prefetch steps look (`ContentionModel.prefetch`).
    static let farAhead = 12
    static let nearAhead = 4
    /// How many exchanges ahead routing on the accounting thread asks for path-cache slots.
    static let routeAhead = 8

    struct Record {
        var time: Int64
        var latencyMicros: Int64
        var bytes: Int64
        var pathHash: UInt64
        var clientHash: UInt64
        var status: Int32
        var route: Int32
        /// Arena offsets: client, method and path one after another; the new route's bytes
        /// (when `newRoute`) wherever the arena ended when the batch was routed.
        var start: UInt32
        var clientEnd: UInt32
        var methodEnd: UInt32
        var pathEnd: UInt32
        var routeStart: UInt32
        var routeEnd: UInt32
        var newRoute: Bool
    }

    package let capacity: Int
    /// A batch is handed over once its arena holds this much, even when not full of records.
    let arenaTarget: Int
    private let records: UnsafeMutablePointer<Record>
    // Not checked for exclusive access at run time: a batch is one thread's at a time (the
    // queue hands it over), and these are read or written for every exchange. Checked, they
    // cost the fleet aggregator, which appends from another module, 3 % of its samples (perf,
    // `isFull` and `append`).
    @exclusivity(unchecked) package private(set) var count = 0
    /// Records `route(with:generation:)` has routed (the first ones).
    @exclusivity(unchecked) private var routed = 0
    /// The records were appended without their hashes (`append(_:prefetchingWith:)` without a
    /// prefetcher): the thread that routes them computes those first.
    @exclusivity(unchecked) private var hashesPending = false
    @exclusivity(unchecked) private var arena: UnsafeMutableRawPointer
    @exclusivity(unchecked) private var arenaCapacity: Int
    @exclusivity(unchecked) private var arenaUsed = 0
    /// The normalizer as it was after the record at `after` (it learned from that exchange).
    var normalizers: [(after: Int, normalizer: RouteNormalizer)] = []
    /// The normalizer as it was after the last record, when it learned anything at all since the
    /// last one handed over like this (`handOver`, at the end of a daemon's pass): adopted after
    /// the batch, so the accounting's copy — which a commit's snapshot holds — is exact there.
    /// `normalizers` hands it over only when a position becomes `{var}`; what it counted towards
    /// the next one since would be missing from the snapshot, and a restarted daemon would learn
    /// later than one that ran on. A copy only when it changed: a position stops changing once
    /// learned or once its values have all been seen, so after a warm-up few passes carry one.
    var settledNormalizer: RouteNormalizer?
    /// Progress of the source being read, as of this batch: its index, bytes consumed, lines.
    var progress: (source: Int, bytes: UInt64, lines: Int)?
    /// The source whose last records these are ended; its report.
    var finished: SourceReport?
    /// The daemon's reading thread ended a pass over its files with these records: where it
    /// stood (what a flush may commit with exactly the exchanges accounted up to here).
    var tail: TailProgress?
    /// `analyze`'s route resolver, moved to the accounting thread with this batch (see
    /// `RoutingPlacement`): the thread that takes it routes this batch and every later one.
    var handedResolver: (resolver: RouteResolver, generation: Int)?
    /// How long the accounting thread took over this batch, for the reading thread that takes it
    /// back (`RoutingPlacement`); kept by `reset`, cleared by the reader once read.
    var accountingNanos: UInt64 = 0
    /// A fleet agent's reading thread encoded the records as a summary block
    /// (`encodeFleetBlock`), which the accounting copies into its summary instead of encoding
    /// each exchange itself. Its memory is kept from use to use.
    private(set) var fleetBlock = FleetSummaryBlock()
    private(set) var hasFleetBlock = false

    package init(capacity: Int = 512, arenaTarget: Int = 64 << 10) {
        self.capacity = capacity
        self.arenaTarget = arenaTarget
        records = .allocate(capacity: capacity)
        arenaCapacity = arenaTarget * 2
        arena = malloc(arenaCapacity)!
    }

    deinit {
        records.deallocate()
        free(arena)
    }

    package var isFull: Bool { count == capacity || arenaUsed >= arenaTarget }

    package func reset() {
        count = 0
        routed = 0
        hashesPending = false
        arenaUsed = 0
        normalizers.removeAll(keepingCapacity: true)
        settledNormalizer = nil
        progress = nil
        finished = nil
        tail = nil
        handedResolver = nil
        hasFleetBlock = false
    }

    @inline(__always)
    private func copy(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        if bytes.count > 0 {
            (arena + arenaUsed).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            arenaUsed += bytes.count
        }
        return UInt32(arenaUsed)
    }

    /// Appends `x`, its route still to be found (`route(with:generation:)`, before the batch is
    /// handed over), and asks the CPU for its slot in the resolver's path cache: the cache is
    /// larger than the CPU's, and waiting on the slot was most of a route lookup's time (for
    /// paths of one-off ids, every lookup misses). By the time the batch is routed, a whole
    /// batch later, the slot is in the cache.
    ///
    /// Without `cache` the reading thread no longer routes (`RoutingPlacement` moved it to the
    /// accounting thread, which the reading thread then waits on less than it keeps it
    /// waiting): the hashes are left to the thread that routes, and no path-cache slot is asked
    /// for here, where it would come into this core's cache only to be taken away by the other's
    /// write.
    @inline(__always)
    package func append(_ x: ExchangeView, prefetchingWith cache: RouteCachePrefetcher?) {
        var pathHash: UInt64 = 0, clientHash: UInt64 = 0
        if let cache {
            pathHash = ByteHash.hash(x.path)
            cache.prefetch(pathHash)
            clientHash = ByteHash.hash(x.client)
        } else {
            hashesPending = true
        }
        let need = x.client.count + x.method.count + x.path.count
        if arenaUsed + need > arenaCapacity { grow(to: arenaUsed + need) }
        let start = UInt32(arenaUsed)
        let clientEnd = copy(x.client)
        let methodEnd = copy(x.method)
        let pathEnd = copy(x.path)
        records[count] = Record(
            time: x.time, latencyMicros: x.latencyMicros, bytes: x.bytes, pathHash: pathHash, clientHash: clientHash,
            status: x.status, route: -1, start: start, clientEnd: clientEnd,
            methodEnd: methodEnd, pathEnd: pathEnd, routeStart: pathEnd, routeEnd: pathEnd, newRoute: false)
        count += 1
    }

    /// Routes, in order, the records appended since the last call with the resolver of the
    /// thread that routes (`prefetching`: on the accounting thread, which asks for path-cache
    /// slots `routeAhead` records ahead, the reading thread having asked long before). A new
    /// route's bytes go to the arena's end; when the normalizer learned from a record, an
    /// independent copy of it travels right after that record (`generation`: the normalizer's
    /// generation the previous copy, if any, had).
    package func route(with resolver: inout RouteResolver, generation: inout Int, prefetching prefetcher: RouteCachePrefetcher? = nil) {
        if hashesPending {
            hashesPending = false
            let base = UnsafeRawPointer(arena)
            for i in routed..<count {
                let r = records[i]
                records[i].clientHash = ByteHash.hash(UnsafeRawBufferPointer(start: base + Int(r.start), count: Int(r.clientEnd - r.start)))
                records[i].pathHash = ByteHash.hash(UnsafeRawBufferPointer(start: base + Int(r.methodEnd), count: Int(r.pathEnd - r.methodEnd)))
            }
        }
        while routed < count {
            let i = routed
            if let prefetcher, i + Self.routeAhead < count { prefetcher.prefetch(records[i + Self.routeAhead].pathHash) }
            let r = records[i]
            let base = UnsafeRawPointer(arena)
            let path = UnsafeRawBufferPointer(start: base + Int(r.methodEnd), count: Int(r.pathEnd - r.methodEnd))
            let found = resolver.resolveNoting(path: path, hasRequestLine: r.methodEnd > r.clientEnd, pathHash: r.pathHash)
            records[i].route = Int32(truncatingIfNeeded: found.index)
            if let newRoute = found.new {
                if arenaUsed + newRoute.count > arenaCapacity { grow(to: arenaUsed + newRoute.count) }
                records[i].routeStart = UInt32(arenaUsed)
                records[i].routeEnd = copy(newRoute)
                records[i].newRoute = true
            }
            routed += 1
            if resolver.normalizer.generation != generation {
                generation = resolver.normalizer.generation
                // Its own output buffer: the accounting thread renormalizes with it.
                normalizers.append((i, resolver.normalizer.independentCopy()))
            }
        }
    }

    /// Accounts every record in order into `analyzer`, as `record(_:)` on one thread would, with
    /// `before` seeing each exchange first, and `atNewTime` each exchange whose time differs from
    /// the one before it (`lastTime`, carried from batch to batch): what depends only on the time
    /// (the rollups' minute and bucket cuts) then costs nothing for the many lines of one second.
    @inline(__always)
    package func account(
        into analyzer: inout TrafficAnalyzer, before: ((ExchangeView, inout TrafficAnalyzer) -> Void)?,
        atNewTime: ((Int64, inout TrafficAnalyzer) -> Void)? = nil, lastTime: inout Int64
    ) {
        var next = 0
        let count = count
        var last = lastTime
        defer { lastTime = last }
        forEach { i, x, r, newRoute in
            // The model's tables are far larger than the caches: ask for what the exchanges a
            // little further on will touch while this one is accounted.
            if i + Self.farAhead < count {
                let k = prefetchKeys(i + Self.farAhead)
                analyzer.prefetch(method: k.method, pathHash: k.pathHash, clientHash: k.clientHash, far: true)
            }
            if i + Self.nearAhead < count {
                let k = prefetchKeys(i + Self.nearAhead)
                analyzer.prefetch(method: k.method, pathHash: k.pathHash, clientHash: k.clientHash, far: false)
            }
            if let before { before(x, &analyzer) }
            if let atNewTime, x.time != last {
                last = x.time
                atNewTime(x.time, &analyzer)
            }
            analyzer.record(x, route: Int(r.route), newRoute: newRoute, pathHash: r.pathHash, clientHash: r.clientHash)
            if next < normalizers.count, normalizers[next].after == i {
                analyzer.adopt(normalizer: normalizers[next].normalizer)
                next += 1
            }
        }
        if let settledNormalizer { analyzer.adopt(normalizer: settledNormalizer) }
    }

    /// Record `i`'s route index (once routed) and time.
    @inline(__always)
    package func route(at i: Int) -> (route: Int, time: Int64) {
        precondition(i < routed, "record \(i) not routed yet")
        return (Int(records[i].route), records[i].time)
    }

    /// Encodes every record as one block of a fleet summary (on the reading thread, off the
    /// accounting's path), in the order the accounting will see them.
    func encodeFleetBlock(with encoder: inout FleetBlockEncoder) {
        // The block is encoded in a local: a class's stored property passed `inout` is checked
        // for exclusive access at run time on every pass, which was 13 % of this loop (perf).
        // Swapped, not copied, so its arrays stay uniquely referenced and keep their memory.
        var block = FleetSummaryBlock()
        swap(&block, &fleetBlock)
        encoder.begin(&block)
        var x = ExchangeView()
        let base = UnsafeRawPointer(arena)
        // The client dictionary's slots and strings, asked for 8 and 4 exchanges ahead: half
        // of the encoding's time was waiting on them (perf). Only for the hashes known already.
        let hashed = hashesPending ? routed : count
        for i in 0..<count {
            if i + 8 < hashed { encoder.prefetch(clientHash: records[i + 8].clientHash, deep: false) }
            if i + 4 < hashed { encoder.prefetch(clientHash: records[i + 4].clientHash, deep: true) }
            let r = records[i]
            Self.fill(&x, from: r, arena: base)
            // Without their hashes yet (`hashesPending`) the client's is computed here.
            let clientHash = hashesPending && i >= routed ? ByteHash.hash(x.client) : r.clientHash
            encoder.append(x, clientHash: clientHash, to: &block)
        }
        encoder.end(&block)
        swap(&block, &fleetBlock)
        hasFleetBlock = true
    }

    private func grow(to needed: Int) {
        var c = arenaCapacity
        while c < needed { c *= 2 }
        guard let bigger = realloc(arena, c) else { fatalError("out of memory for a batch of \(c) bytes") }
        arena = bigger
        arenaCapacity = c
    }

    /// What a prefetch needs of record `i`: its method and hashes.
    @inline(__always)
    func prefetchKeys(_ i: Int) -> (method: UnsafeRawBufferPointer, pathHash: UInt64, clientHash: UInt64) {
        let r = records[i]
        let method = UnsafeRawBufferPointer(start: UnsafeRawPointer(arena) + Int(r.clientEnd), count: Int(r.methodEnd - r.clientEnd))
        return (method, r.pathHash, r.clientHash)
    }

    /// Record `r` as an exchange pointing into the arena at `base`.
    @inline(__always)
    private static func fill(_ x: inout ExchangeView, from r: Record, arena base: UnsafeRawPointer) {
        x.time = r.time
        x.latencyMicros = r.latencyMicros
        x.bytes = r.bytes
        x.status = r.status
        x.client = UnsafeRawBufferPointer(start: base + Int(r.start), count: Int(r.clientEnd - r.start))
        x.method = UnsafeRawBufferPointer(start: base + Int(r.clientEnd), count: Int(r.methodEnd - r.clientEnd))
        x.path = UnsafeRawBufferPointer(start: base + Int(r.methodEnd), count: Int(r.pathEnd - r.methodEnd))
    }

    /// Each record as an exchange (valid during the call), in order, with its index.
    @inline(__always)
    func forEach(_ body: (Int, ExchangeView, Record, UnsafeRawBufferPointer?) -> Void) {
        precondition(routed == count, "a batch was handed over before it was routed")
        var x = ExchangeView()
        let base = UnsafeRawPointer(arena)
        for i in 0..<count {
            let r = records[i]
            Self.fill(&x, from: r, arena: base)
            let route = r.newRoute ? UnsafeRawBufferPointer(start: base + Int(r.routeStart), count: Int(r.routeEnd - r.routeStart)) : nil
            body(i, x, r, route)
        }
    }
}

extension BatchQueue where Batch == RoutedBatch {
    /// The daemon's hand-over (`TailReader`, whose reading thread always routes): routes what
    /// `batch` has not routed yet, hands it over and returns the next empty batch. `analyze`'s,
    /// which may leave routing to the accounting thread, is beside `RoutingReader`; either way
    /// `forEach` refuses a batch that reaches the accounting unrouted.
    /// A batch that ends a pass (`tail`) also takes the normalizer as of its end when it learned
    /// anything since `learned` (its `learnerChanges` at the last such copy).
    func handOver(_ batch: RoutedBatch, routing resolver: inout RouteResolver, generation: inout Int, learned: inout UInt64) -> RoutedBatch {
        batch.route(with: &resolver, generation: &generation)
        if batch.tail != nil, resolver.normalizer.learnerChanges != learned {
            learned = resolver.normalizer.learnerChanges
            batch.settledNormalizer = resolver.normalizer.independentCopy()
        }
        push(batch)
        return take()
    }
}
