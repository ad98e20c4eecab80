import ConflictWatchCore
import ConflictWatchIngest

/// The stderr progress line for offline work: bytes read of the total, lines/s and ETA.
/// Only on a terminal, redrawn at most ten times a second, erased when done.
struct ProgressBar {
    let totalBytes: UInt64?
    let enabled: Bool
    private var started = SystemClock.monotonicSeconds()
    private var lastDraw = 0.0
    private var drawn = false

    init(totalBytes: UInt64?, enabled: Bool) {
        self.totalBytes = totalBytes
        self.enabled = enabled
    }

    mutating func update(bytes: UInt64, lines: UInt64) {
        guard enabled else { return }
        let now = SystemClock.monotonicSeconds()
        guard now - lastDraw >= 0.1 else { return }
        lastDraw = now
        let elapsed = max(now - started, 1e-6)
        let rate = Double(lines) / elapsed
        var line = "\r"
        if let total = totalBytes, total > 0 {
            let frac = min(1, Double(bytes) / Double(total))
            let width = 24
            let filled = Int(frac * Double(width))
            line += "[" + String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled) + "] "
            line += "\(Int(frac * 100))% \(Self.size(bytes))/\(Self.size(total))"
            let bytesPerSecond = Double(bytes) / elapsed
            if bytesPerSecond > 0 {
                line += "  ETA \(Int((Double(total - min(bytes, total)) / bytesPerSecond).rounded()))s"
            }
        } else {
            line += Self.size(bytes)
        }
        line += "  \(Self.count(rate)) lines/s   "
        Terminal.writeRaw(line)
        drawn = true
    }

    mutating func finish() {
        guard drawn else { return }
        Terminal.writeRaw("\r\u{1B}[K")
        drawn = false
    }

    static func size(_ b: UInt64) -> String {
        let mib = Double(b) / 1_048_576
        return mib >= 1 ? "\(Double(Int(mib * 10)) / 10) MiB" : "\(b / 1024) KiB"
    }

    static func count(_ v: Double) -> String {
        if v >= 1e6 { return "\(Double(Int(v / 1e5)) / 10)M" }
        if v >= 1e3 { return "\(Int(v / 1e3))k" }
        return "\(Int(v))"
    }
}
