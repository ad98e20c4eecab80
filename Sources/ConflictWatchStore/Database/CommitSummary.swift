import ConflictWatchCore

/// What a commit did beyond writing the batch.
public struct CommitSummary: Sendable, Equatable {
    /// Pending webhook deliveries dropped because their receiver's outbox was full.
    public var webhooksDropped = 0

    public init(webhooksDropped: Int = 0) {
        self.webhooksDropped = webhooksDropped
    }
}
