import ConflictWatchCore
import ConflictWatchStore
import Logging

/// The pipeline's view of the silences (SPEC §6). Silences are written by any process (the CLI,
/// the API), so the daemon reads the active ones from the store once a second — a query on a
/// small indexed table — and when that set moved (added, expired by hand, or run out) the open
/// alerts are decided again. Each alert is decided when the pipeline commits it (it opened,
/// changed or closed) against the silences active then.
struct SilenceTracker {
    private(set) var active: [Silence] = []
    /// Open alerts committed as silenced: what `open_alerts` leaves out, and how an alert whose
    /// silence ended is told apart from one that was never silenced.
    private(set) var silencedOpen: Set<String> = []
    private var lastRead = -Double.infinity
    private var pending = true

    /// Starts from the flags of the open alerts in the store (a restart or a reload keeps them).
    init(openAlerts: [Alert] = []) {
        silencedOpen = Set(openAlerts.filter { $0.silenced && $0.end == nil }.map(\.id))
    }

    /// Reads the active silences when a second has passed; true when the open alerts must be
    /// decided again (the set changed, or nothing was decided yet).
    mutating func refreshIfDue(store: ConflictStore, now: Double, logger: Logger) -> Bool {
        if now - lastRead >= 1 {
            lastRead = now
            do {
                let next = try store.silences()
                if next != active {
                    if !pending {
                        logger.info("silences changed", metadata: ["active": "\(next.count)", "ids": "\(next.map(\.id))"])
                    }
                    active = next
                    pending = true
                }
            } catch {
                logger.warning("cannot read silences; keeping the last ones read", metadata: ["error": "\(error)"])
            }
        }
        return pending
    }

    /// True once, after the set changed.
    mutating func takeChange() -> Bool {
        defer { pending = false }
        return pending
    }

    func covers(_ alert: Alert) -> Bool {
        !active.isEmpty && active.contains { $0.matches(alert) }
    }

    func wasSilenced(_ id: String) -> Bool { silencedOpen.contains(id) }

    /// Notes the alert as committed.
    mutating func committed(_ alert: Alert) {
        if alert.silenced && alert.end == nil {
            silencedOpen.insert(alert.id)
        } else {
            silencedOpen.remove(alert.id)
        }
    }
}
