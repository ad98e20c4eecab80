/// A hot-spot alert while open: the resource, its peak probability and who writes it.
struct HotspotAlertState {
    var id: String
    var resource: String
    var routeIndex: Int
    var start: Int64
    var end: Int64?
    var peakProbability = 0.0
    var peakWriters = 0
    var rate = 0.0
    var editWindowMs = 0.0
    var conflicts = 0
    var statuses: [String: Int] = [:]
    var writers = SpaceSaving(capacity: 8)
    var samples: [Alert.Sample] = []

    init(id: String, resource: String, routeIndex: Int, start: Int64) {
        self.id = id
        self.resource = resource
        self.routeIndex = routeIndex
        self.start = start
    }

    mutating func observe(probability: Double, writers n: Int, clientHash: UInt64, client: UnsafeRawBufferPointer) {
        if probability > peakProbability { peakProbability = probability }
        if n > peakWriters { peakWriters = n }
        writers.add(hash: clientHash, label: client)
    }
}

/// Stable alert ids: the same traffic gives the same ids, so a replayed log can be compared.
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
}
