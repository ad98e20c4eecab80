import ConflictWatchCore

/// Who writes the documents route (`PUT /api/documents/{id}`, version in the body → 409).
///
/// A few documents are locked (archived, under legal hold): the server refuses every write to
/// them with 409, whatever its version. Each locked document belongs to one user, its owner,
/// and only the owner's editor keeps trying to save it — so these 409s are a steady trickle
/// from single writers, never a race. The other documents are shared by a handful of
/// collaborators each and edited at a low rate, so two editors rarely overlap on one.
struct DocumentDesk: Sendable {
    static let count = 1200
    static let lockedCount = 12
    /// Share of document sessions that are an owner trying to save a locked document: about
    /// 5% of the route's writes.
    static let lockedShare = 0.05
    /// Popularity of the unlocked documents: much flatter than orders (team documents, not a
    /// catalogue), so that even the busiest is rarely open in two editors at once.
    static let skew = 0.3
    static let collaborators = 2...4

    /// The owner's editor shows "document is locked" and does not retry on its own.
    static let lockedHabit = EditHabit(thinkMedian: 6, thinkSigma: 0.8, retryProbability: 0, backoff: 1...1, maxAttempts: 1)

    let isLocked: [Bool]
    /// Per locked document (index into `locked`): the one user who writes it.
    let locked: [Int]
    let owners: [Int]
    /// Per document: the users who edit it (empty for locked ones).
    let editors: [[Int]]
    private let unlocked: [Int]
    private let popularity: ZipfSampler

    init(users: Int, rng: inout SimulationRandom) {
        let order = ClientPool.permutation(Self.count, &rng)
        let locked = Array(order.prefix(Self.lockedCount))
        var isLocked = [Bool](repeating: false, count: Self.count)
        for d in locked { isLocked[d] = true }
        var editors = [[Int]](repeating: [], count: Self.count)
        for d in 0..<Self.count where !isLocked[d] {
            let n = Self.collaborators.lowerBound + rng.below(Self.collaborators.count)
            editors[d] = (0..<n).map { _ in rng.below(users) }
        }
        self.isLocked = isLocked
        self.locked = locked
        owners = locked.map { _ in rng.below(users) }
        self.editors = editors
        unlocked = Array(order.dropFirst(Self.lockedCount))
        popularity = ZipfSampler(count: unlocked.count, exponent: Self.skew)
    }

    /// One editing session: the document and the user who edits it.
    func session(_ rng: inout SimulationRandom) -> (document: Int, user: Int) {
        if rng.chance(Self.lockedShare) {
            let k = rng.below(locked.count)
            return (locked[k], owners[k])
        }
        let d = unlocked[popularity.sample(&rng)]
        return (d, editors[d][rng.below(editors[d].count)])
    }
}
