/// The API's share of the process's open-file limit. The sources (followed files, captures),
/// the store (SQLite, its WAL and shared memory, reader connections) and webhook connections
/// come first: the API may only use what is left after `reserve`, so a flood of API
/// connections can never make the tailer fail to open a rotated log.
public struct DescriptorBudget: Sendable, Equatable {
    /// Descriptors kept for everything that is not an API connection.
    public static let defaultReserve = 128

    /// The soft RLIMIT_NOFILE the daemon runs with.
    public var openFileLimit: Int
    public var reserve: Int

    public init(openFileLimit: Int, reserve: Int = defaultReserve) {
        self.openFileLimit = openFileLimit
        self.reserve = reserve
    }

    /// The most API connections the limit leaves room for (at least 1, so the API still
    /// answers a probe on a starved machine).
    public var maxConnections: Int { max(1, openFileLimit - reserve) }

    /// `requested`, or the budget when that is lower; `clamped` says it was lowered.
    public func connectionCap(requested: Int) -> (cap: Int, clamped: Bool) {
        requested <= maxConnections ? (requested, false) : (maxConnections, true)
    }
}
