import ConflictWatchCore

/// The simulated API's regular users and the addresses they come from. Each user has a cart
/// (`{token}`) and a profile (`{uuid}`) and a home address; addresses are shared Zipf-wise, so
/// a few addresses (office NATs, mobile carrier gateways, backend workers) carry many users and
/// most carry one or two — as in a real access log, where the client IP is not a user.
/// Users' activity is Zipf too, but flatter: power users, yet none so busy that it races
/// itself all the time (the busiest does a few sessions a minute at the default rate).
struct ClientPool: Sendable {
    static let userAgents = [
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
        "shop-ios/5.4.1 CFNetwork/1490.0.4 Darwin/23.2.0",
        "okhttp/4.12.0",
        "python-requests/2.31.0",
        "Go-http-client/1.1",
    ]
    /// Users per address, on average.
    static let usersPerAddress = 25

    /// Per user: the address it comes from, its user agent, its cart token and user id.
    let addresses: [String]
    let agents: [String]
    let cartTokens: [String]
    let userIDs: [String]
    private let activity: ZipfSampler
    private let byRank: [Int]

    init(addresses count: Int, rng: inout SimulationRandom) {
        let ips = (0..<count).map { i in i % 10 == 9 ? "2001:db8:20::\(String(i, radix: 16))" : "10.20.\(i / 250).\(i % 250 + 1)" }
        let sharing = ZipfSampler(count: count, exponent: 0.8)
        let ipByRank = Self.permutation(count, &rng)
        var addresses: [String] = [], agents: [String] = [], carts: [String] = [], users: [String] = []
        let userCount = count * Self.usersPerAddress
        for _ in 0..<userCount {
            addresses.append(ips[ipByRank[sharing.sample(&rng)]])
            agents.append(Self.userAgents[rng.below(Self.userAgents.count)])
            carts.append(Self.token(&rng))
            users.append(Self.uuid(&rng))
        }
        self.addresses = addresses
        self.agents = agents
        cartTokens = carts
        userIDs = users
        activity = ZipfSampler(count: userCount, exponent: 0.5)
        byRank = Self.permutation(userCount, &rng)
    }

    var count: Int { addresses.count }

    /// A user drawn by how active it is.
    func pick(_ rng: inout SimulationRandom) -> Int { byRank[activity.sample(&rng)] }

    /// 10 characters, letters and four digits: a generated cart token.
    static func token(_ rng: inout SimulationRandom) -> String {
        let letters = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ")
        let digits = Array("23456789")
        var s = ""
        for i in 0..<10 {
            s.append([1, 4, 5, 8].contains(i) ? digits[rng.below(digits.count)] : letters[rng.below(letters.count)])
        }
        return s
    }

    static func uuid(_ rng: inout SimulationRandom) -> String {
        let hex = Array("0123456789abcdef")
        var s = ""
        for i in 0..<32 {
            if [8, 12, 16, 20].contains(i) { s.append("-") }
            s.append(hex[rng.below(16)])
        }
        return s
    }

    /// A random order of 0..<n (Fisher–Yates): maps popularity ranks to ids, so the hot
    /// resources are not simply the first ids.
    static func permutation(_ n: Int, _ rng: inout SimulationRandom) -> [Int] {
        var p = Array(0..<n)
        guard n > 1 else { return p }
        for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, rng.below(i + 1)) }
        return p
    }
}
