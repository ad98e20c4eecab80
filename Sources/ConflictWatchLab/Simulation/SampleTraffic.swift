import ConflictWatchCore

/// A small, deterministic API access log for `demo` and tests: clients read an order, think,
/// and write it back with the version they read; a write on a stale version gets 409. One order
/// becomes hot half-way (many clients at once), so conflicts arise from real overlap.
public struct SampleTraffic {
    public var seed: UInt64
    public var seconds: Int
    public var startMicros: Int64

    public init(seed: UInt64 = 42, seconds: Int = 600, startMicros: Int64 = 1_764_000_000_000_000) {
        self.seed = seed
        self.seconds = seconds
        self.startMicros = startMicros
    }

    /// SplitMix64: tiny, fast and good enough for traffic shapes.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    }

    struct PendingWrite {
        var at: Int64
        var client: Int
        var order: Int
        var readVersion: Int
    }

    /// Lines in nginx combined format, in time order.
    public func combinedLines() -> [String] {
        var rng = Random(state: seed)
        var versions = [Int](repeating: 0, count: 500)
        var pending: [PendingWrite] = []
        var lines: [String] = []
        let agents = ["curl/8.5.0", "python-requests/2.31.0", "orders-ui/3.2 (+https://example.com)", "Go-http-client/1.1"]
        func clientAddress(_ c: Int) -> String { c % 10 == 9 ? "2001:db8::\(c)" : "10.0.\(c / 250).\(c % 250 + 1)" }
        func line(_ t: Int64, _ c: Int, _ method: String, _ path: String, _ status: Int, _ bytes: Int) -> String {
            let ua = agents[c % agents.count]
            return "\(clientAddress(c)) - - [\(Self.clfTime(t))] \"\(method) \(path) HTTP/1.1\" \(status) \(bytes) \"-\" \"\(ua)\" rt=0.\(Pad.digits(5 + c % 40, 3))"
        }
        let hotStart = startMicros + Int64(seconds / 2) * 1_000_000
        var t = startMicros
        let end = startMicros + Int64(seconds) * 1_000_000
        while t < end {
            t += Int64(20_000 + rng.below(60_000))
            while let i = pending.indices.first(where: { pending[$0].at <= t }) {
                let w = pending.remove(at: i)
                let ok = versions[w.order] == w.readVersion
                if ok { versions[w.order] += 1 }
                lines.append(line(w.at, w.client, "PUT", "/api/orders/\(w.order)", ok ? 200 : 409, ok ? 312 : 64))
            }
            let client = rng.below(300)
            let hot = t >= hotStart && rng.unit() < 0.35
            let order = hot ? 13 : rng.below(versions.count)
            let r = rng.unit()
            if r < 0.55 {
                lines.append(line(t, client, "GET", "/api/orders/\(order)", 200, 512 + rng.below(400)))
                if rng.unit() < 0.5 {
                    let think = Int64(200_000 + rng.below(hot ? 1_500_000 : 3_000_000))
                    pending.append(PendingWrite(at: t + think, client: client, order: order, readVersion: versions[order]))
                }
            } else if r < 0.70 {
                lines.append(line(t, client, "POST", "/api/orders", 201, 298))
            } else if r < 0.80 {
                let user = "3f2c9a1e-7b4d-4c1a-9e8f-\(Pad.digits(client, 12))"
                lines.append(line(t, client, "GET", "/api/users/\(user)/cart", 200, 733))
            } else if r < 0.90 {
                lines.append(line(t, client, "GET", "/healthz", 200, 2))
            } else {
                lines.append(line(t, client, "DELETE", "/api/orders/\(order)/lock", rng.unit() < 0.1 ? 423 : 204, 0))
            }
        }
        return lines
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func clfTime(_ micros: Int64) -> String {
        let secs = micros / 1_000_000
        let (y, m, d) = CivilTime.civilFromDays(Int(secs / 86_400))
        let r = Int(secs % 86_400)
        return "\(Pad.digits(d, 2))/\(months[m - 1])/\(y):\(Pad.digits(r / 3600, 2)):\(Pad.digits(r % 3600 / 60, 2)):\(Pad.digits(r % 60, 2)) +0000"
    }
}

/// Zero-padded decimal text for the generated lines.
enum Pad {
    static func digits(_ v: Int, _ width: Int) -> String {
        let s = "\(v)"
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
