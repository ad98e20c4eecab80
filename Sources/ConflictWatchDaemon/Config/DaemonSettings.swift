import ConflictWatchCapture
import ConflictWatchCore
import ConflictWatchServer
import ConflictWatchStore

/// What one daemon run follows and where it keeps its state (from flags or the config file).
public struct DaemonSettings: Sendable, Equatable {
    /// One followed file or glob and its log format.
    public struct Source: Sendable, Equatable {
        public var pattern: String
        public var format: LogFormat
        public init(pattern: String, format: LogFormat) {
            self.pattern = pattern
            self.format = format
        }
    }

    public var sources: [Source]
    /// Interfaces captured live (SPEC §4), beside the files. Opened at start (CAP_NET_RAW);
    /// a SIGHUP does not change them.
    public var interfaces: [LiveCaptureSettings] = []
    public var parameters: ModelParameters
    public var stateDirectory: String
    public var fromStart = false
    public var maxLineLength = LineLimits.defaultMaxLineLength
    public var retentionDays = ConflictStore.defaultRetentionDays
    /// Longest time between reading a line and committing what it produced (SPEC: a line in
    /// the API within 1 s). Every commit also writes the model's snapshot (up to 2.5 MB on a
    /// busy model), so it costs the same however few lines it covers: at 0.25 s, eight agents
    /// fed 1 M lines/s between them spent a tenth of this 2-core machine on commits
    /// (docs/performance.md).
    public var flushInterval = 0.5
    /// 2: the files are read, decoded and routed on a thread of their own while the pipeline's
    /// task accounts and commits (the model sees the same exchanges in the same order); 1: one
    /// thread does it all (tests that step the pipeline by hand).
    public var threads = 2
    /// Ranked hot spots kept per snapshot.
    public var hotspotCount = 20
    /// Receivers of opened/closed alerts (SPEC §8). Read at start; a SIGHUP does not change them.
    public var webhooks: [WebhookTarget] = []
    public var webhookRetry = RetryPolicy()
    /// Where the query API listens (SPEC §9); nil serves none. Read at start, like webhooks.
    public var listen: QueryServerConfiguration? = nil
    /// A fleet agent's PostgreSQL and name (SPEC §7); nil on a single server.
    public var fleet: FleetSettings? = nil

    public init(sources: [Source], parameters: ModelParameters, stateDirectory: String) {
        self.sources = sources
        self.parameters = parameters
        self.stateDirectory = stateDirectory
    }
}
