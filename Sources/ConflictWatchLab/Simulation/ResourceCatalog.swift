import ConflictWatchCore

/// Every resource of the simulated API: its path, its current version, and how popular it is.
/// Versions only grow: an accepted write on a version-checked route bumps the version by one,
/// and a write that names an older version is refused.
struct ResourceCatalog: Sendable {
    /// Resources per route and the Zipf exponent of their popularity.
    static let orderCount = 3000, orderSkew = 0.8
    static let counterCount = 4, counterSkew = 0.6
    static let noteCount = 200, noteSkew = 1.1
    static let productCount = 5000, productSkew = 0.9

    private(set) var paths: [[String]]
    private var versions: [[Int]]
    let productPaths: [String]
    private let popularity: [ZipfSampler?]
    private let byRank: [[Int]]

    /// `workflowItems`: how many workflow items the log can get through (they are created as
    /// the inbox drains; their paths are made up front like every other route's).
    init(clients: ClientPool, workflowItems: Int, rng: inout SimulationRandom) {
        var paths = Array(repeating: [String](), count: SimulatedRoute.allCases.count)
        paths[SimulatedRoute.orders.rawValue] = (0..<Self.orderCount).map { "/api/orders/\(100_000 + $0 * 3)" }
        paths[SimulatedRoute.carts.rawValue] = clients.cartTokens.map { "/api/carts/\($0)" }
        paths[SimulatedRoute.profiles.rawValue] = clients.userIDs.map { "/api/users/\($0)/profile" }
        paths[SimulatedRoute.counters.rawValue] = (0..<Self.counterCount).map { "/api/counters/\($0 + 1)" }
        paths[SimulatedRoute.notes.rawValue] = (0..<Self.noteCount).map { "/api/notes/\(700 + $0)" }
        paths[SimulatedRoute.stock.rawValue] = (0..<Self.productCount).map { "/api/products/\(20_000 + $0)/stock" }
        paths[SimulatedRoute.documents.rawValue] = (0..<DocumentDesk.count).map { "/api/documents/\(4000 + $0 * 7)" }
        paths[SimulatedRoute.workflows.rawValue] = (0..<workflowItems).map { "/api/workflows/\(50_000 + $0)/state" }
        productPaths = (0..<Self.productCount).map { "/api/products/\(20_000 + $0)" }
        self.paths = paths
        versions = paths.map { Array(repeating: 0, count: $0.count) }
        var pop = [ZipfSampler?](repeating: nil, count: paths.count)
        pop[SimulatedRoute.orders.rawValue] = ZipfSampler(count: Self.orderCount, exponent: Self.orderSkew)
        pop[SimulatedRoute.counters.rawValue] = ZipfSampler(count: Self.counterCount, exponent: Self.counterSkew)
        pop[SimulatedRoute.notes.rawValue] = ZipfSampler(count: Self.noteCount, exponent: Self.noteSkew)
        pop[SimulatedRoute.stock.rawValue] = ZipfSampler(count: Self.productCount, exponent: Self.productSkew)
        popularity = pop
        byRank = paths.map { ClientPool.permutation($0.count, &rng) }
    }

    func path(_ route: SimulatedRoute, _ index: Int) -> String { paths[route.rawValue][index] }

    /// What an edit session reads first: the resource itself, or for a state transition the
    /// item whose state it changes.
    func readPath(_ route: SimulatedRoute, _ index: Int) -> String {
        let p = paths[route.rawValue][index]
        return route == .workflows ? String(p.dropLast("/state".count)) : p
    }
    func version(_ route: SimulatedRoute, _ index: Int) -> Int { versions[route.rawValue][index] }
    mutating func bump(_ route: SimulatedRoute, _ index: Int) { versions[route.rawValue][index] += 1 }

    /// The resource at a popularity rank (0 = the most popular).
    func resource(_ route: SimulatedRoute, rank: Int) -> Int { byRank[route.rawValue][rank] }

    /// A resource drawn by popularity (routes with per-client resources are not drawn here).
    func pick(_ route: SimulatedRoute, _ rng: inout SimulationRandom) -> Int {
        guard let z = popularity[route.rawValue] else { return rng.below(paths[route.rawValue].count) }
        return byRank[route.rawValue][z.sample(&rng)]
    }
}
