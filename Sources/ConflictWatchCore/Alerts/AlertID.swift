/// Stable alert ids (SPEC §6): the kind, the start and a key made from the route template and the
/// client or resource, never an in-memory position, so the same incident has the same id in
/// `analyze`, in the daemon, after a restart and on every agent of a fleet.
enum AlertID {
    static func make(kind: String, start: Int64, key: UInt64) -> String {
        var secs = start / 1_000_000
        if start < 0, start % 1_000_000 != 0 { secs -= 1 }
        let (y, m, d) = CivilTime.civilFromDays(Int(secs / 86_400))
        let r = Int(secs % 86_400)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let stamp = "\(y)\(two(m))\(two(d))T\(two(r / 3600))\(two(r % 3600 / 60))\(two(r % 60))Z"
        let suffix = String(key & 0xFFFF_FF, radix: 16)
        return "\(kind)-\(stamp)-\(String(repeating: "0", count: max(0, 6 - suffix.count)))\(suffix)"
    }

    /// The key of an alert about `route` (its template as first seen), optionally narrowed to a
    /// client or resource hash.
    static func key(route: String, narrowedTo other: UInt64 = 0) -> UInt64 {
        var name = route
        let h = name.withUTF8 { ByteHash.hash(UnsafeRawBufferPointer($0)) }
        return other == 0 ? h : ByteHash.combine(h, other)
    }
}
