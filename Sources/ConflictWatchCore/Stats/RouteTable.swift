/// Per-route accounting keyed by the route's bytes, in an open-addressing table so a lookup
/// costs one hash and usually one comparison. Bounded: past `maxRoutes` distinct routes, new
/// ones are counted under `{other}` (reported in the summary).
package struct RouteTable: Sendable {
    package static let overflowRoute = "{other}"

    package let maxRoutes: Int
    private var slots: [Int32]
    private var hashes: [UInt64]
    private(set) var keys: [[UInt8]] = []
    package private(set) var stats: [RouteStats] = []
    private var overflowIndex: Int = -1

    package init(maxRoutes: Int = 10_000) {
        self.maxRoutes = maxRoutes
        var cap = 16
        while cap < maxRoutes * 2 { cap <<= 1 }
        slots = Array(repeating: -1, count: cap)
        hashes = Array(repeating: 0, count: cap)
    }

    package var count: Int { keys.count }

    @inline(__always)
    package func counts(at i: Int) -> (requests: UInt64, writes: UInt64, conflicts: UInt64) {
        stats.withUnsafeBufferPointer { ($0[i].requests, $0[i].writes, $0[i].conflicts) }
    }

    package func forEachStatus(at i: Int, _ body: (Int, UInt64) -> Void) {
        stats.withUnsafeBufferPointer { s in
            for (code, count) in zip(s[i].statusCodes, s[i].statusCounts) { body(Int(code), count) }
        }
    }

    /// Index of `route`'s stats, creating them on first sight.
    @inline(__always)
    package mutating func index(of route: UnsafeRawBufferPointer) -> Int {
        let h = ByteHash.hash(route)
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[i]
            if s < 0 { break }
            if hashes[i] == h {
                let same = keys[Int(s)].withUnsafeBytes { route.equals($0) }
                if same { return Int(s) }
            }
            i = (i + 1) & mask
        }
        if keys.count >= maxRoutes { return overflow() }
        let idx = keys.count
        keys.append(Array(route))
        stats.append(RouteStats())
        slots[i] = Int32(idx)
        hashes[i] = h
        return idx
    }

    private mutating func overflow() -> Int {
        if overflowIndex < 0 {
            overflowIndex = keys.count
            keys.append(Array(Self.overflowRoute.utf8))
            stats.append(RouteStats())
        }
        return overflowIndex
    }

    @inline(__always)
    package mutating func withStats<R>(at i: Int, _ body: (inout RouteStats) -> R) -> R {
        body(&stats[i])
    }

    /// The route's bytes, valid inside `body` (and, in practice, until the next new route).
    @inline(__always)
    package func withKey<R>(at i: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        keys[i].withUnsafeBytes(body)
    }

    package func route(at i: Int) -> String { String(decoding: keys[i], as: UTF8.self) }
}
