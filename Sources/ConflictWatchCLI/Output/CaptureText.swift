import ConflictWatchCapture
import ConflictWatchCore

/// One line of capture counters for people (stderr, `--verbose`).
enum CaptureText {
    static func line(_ source: String, _ c: CaptureReport) -> String {
        var parts = [
            "\(c.packets) packets (\(c.linkType))", "\(c.flows) flows (\(c.httpFlows) HTTP, \(c.tlsFlows) TLS, \(c.http2Flows) HTTP/2, \(c.otherFlows) other)",
        ]
        if let k = c.kernelDrops { parts.append("dropped \(k) by the kernel, \(c.interfaceDrops ?? 0) by the interface") }
        let skipped: [(UInt64, String)] = [
            (c.truncatedPackets, "truncated"), (c.undecodable, "undecodable"), (c.fragments, "IP fragments"), (c.nonTCP, "not TCP"),
            (c.outOfOrder, "out of order"), (c.retransmissions, "retransmitted"), (c.gaps, "gaps (\(c.gapBytes) bytes)"),
            (c.resyncs, "resyncs"), (c.orphanResponses, "responses without request"), (c.unanswered, "unanswered"),
            (c.pendingOverflows, "pending overflows"), (c.evictedFlows, "flows evicted"), (c.idleFlows, "idle flows closed"),
        ]
        parts += skipped.filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
        return "\(source): " + parts.joined(separator: ", ")
    }
}
