/// Which methods are writes and which statuses are conflicts (model parameters, SPEC §1).
/// Checked per line, so both are byte-level: methods by length and bytes, statuses by a bitmap.
package struct TrafficClass: Sendable {
    private var writeMethods: [[UInt8]]
    private var conflictBits: [UInt64] = Array(repeating: 0, count: 16)

    package init(writeMethods: [String], conflictStatuses: [Int]) {
        self.writeMethods = writeMethods.map { Array($0.utf8) }
        for s in conflictStatuses where s >= 0 && s < 1024 { conflictBits[s >> 6] |= 1 << UInt64(s & 63) }
    }

    @inline(__always)
    package func isWrite(_ method: UnsafeRawBufferPointer) -> Bool {
        for m in writeMethods where m.count == method.count {
            if m.withUnsafeBytes({ method.equals($0) }) { return true }
        }
        return false
    }

    @inline(__always)
    package func isConflict(_ status: Int32) -> Bool {
        guard status >= 0, status < 1024 else { return false }
        return conflictBits[Int(status) >> 6] & (1 << UInt64(status & 63)) != 0
    }
}
