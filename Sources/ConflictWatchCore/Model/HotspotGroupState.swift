/// The one open hotspot alert of a route (SPEC §5.3): the route's resources whose risk rose well
/// above their own recent level, newest first, updated as resources join and leave; it closes
/// when none is left. A popular API raises a handful of these an hour, not one per object.
struct HotspotGroupState {
    struct Member {
        var hash: UInt64
        var resource: String
        /// When it joined the alert (its risk crossed the threshold, rising).
        var since: Int64
        var peakProbability: Double
        var peakExpected: Double
        var peakWriters: Int
        var rate: Double
        var editWindowMs: Double?
        var conflicts = 0
        /// Still rising and above half the threshold at the last look.
        var active = true
    }

    /// Resources listed at most; a route with more rising at once is one incident anyway.
    static let maxMembers = 32

    var id: String
    var routeIndex: Int
    var start: Int64
    var lifecycle = AlertLifecycle()
    var transitions = 0
    var members: [Member] = []
    var conflicts = 0
    var statuses: [String: Int] = [:]
    var writers = SpaceSaving(capacity: 8)
    var samples: [Alert.Sample] = []

    init(id: String, routeIndex: Int, start: Int64) {
        self.id = id
        self.routeIndex = routeIndex
        self.start = start
    }

    var end: Int64? { lifecycle.closedAt }
    var activeCount: Int { members.reduce(0) { $0 + ($1.active ? 1 : 0) } }

    func memberIndex(_ hash: UInt64) -> Int? { members.firstIndex { $0.hash == hash } }

    /// A resource joins (or rejoins): returns false when the list is full of active members.
    mutating func join(_ m: Member) -> Bool {
        if let i = memberIndex(m.hash) {
            members[i].active = true
            members[i].since = m.since
            members[i].peakProbability = max(members[i].peakProbability, m.peakProbability)
            members[i].peakExpected = max(members[i].peakExpected, m.peakExpected)
            return true
        }
        if members.count >= Self.maxMembers {
            // Make room by dropping the oldest member that left.
            guard let old = members.indices.filter({ !members[$0].active }).min(by: { members[$0].since < members[$1].since })
            else { return false }
            members.remove(at: old)
        }
        members.append(m)
        return true
    }

    var peakProbability: Double { members.map(\.peakProbability).max() ?? 0 }
    var peakExpected: Double { members.map(\.peakExpected).max() ?? 0 }
    var peakWriters: Int { members.map(\.peakWriters).max() ?? 0 }
}
