import ArgumentParser
import ConflictWatchCapture

/// Bounds of HTTP reconstruction from packets, shared by everything that reads captures.
struct CaptureOptions: ParsableArguments {
    static let defaultMaxFlows = 65_536
    static let defaultIdleTimeout: Double = 120
    static let defaultMaxPending = 100

    @Option(name: .long, help: ArgumentHelp("Connections tracked at once; the least recently active are evicted beyond it.", valueName: "n"))
    var maxFlows: Int = Self.defaultMaxFlows

    @Option(name: .long, help: ArgumentHelp("A connection silent this long is closed; its unanswered requests are reported with status null.", valueName: "seconds"))
    var idleTimeout: Double = Self.defaultIdleTimeout

    @Option(name: .long, help: ArgumentHelp("Requests waiting for responses per connection (pipelining).", valueName: "n"))
    var maxPending: Int = Self.defaultMaxPending

    @Option(name: .long, help: ArgumentHelp("Take the client from this request header's first value (e.g. X-Forwarded-For) instead of the source address.", valueName: "name"))
    var clientHeader: String?

    func validate() throws {
        guard maxFlows >= 16, maxFlows <= 10_000_000 else { throw ValidationError("--max-flows must be between 16 and 10000000 (default 65536)") }
        guard idleTimeout >= 1, idleTimeout <= 86_400 else { throw ValidationError("--idle-timeout must be between 1 and 86400 seconds (default 120)") }
        guard maxPending >= 1, maxPending <= 10_000 else { throw ValidationError("--max-pending must be between 1 and 10000 (default 100)") }
        if let clientHeader, clientHeader.isEmpty || clientHeader.contains(where: { $0 == ":" || $0 == " " }) {
            throw ValidationError("--client-header takes a header name such as X-Forwarded-For")
        }
    }

    func configuration(filter: String? = nil) -> CaptureConfiguration {
        var c = CaptureConfiguration()
        c.maxFlows = maxFlows
        c.idleTimeoutMicros = Int64(idleTimeout * 1_000_000)
        c.maxPendingRequests = maxPending
        c.clientHeader = clientHeader
        c.filter = filter
        return c
    }
}
