import Testing
@testable import ConflictWatchCapture

/// The reconstructor's flow table against a Dictionary, through the churn of a long capture:
/// connections opening and closing in random order, the table growing, deletions shifting
/// probe runs back.
@Suite struct FlowTableTests {
    static func key(_ n: UInt64) -> FlowKey {
        // Few distinct addresses and ports, as on one busy server: many keys share most fields.
        FlowKey(a: IPAddress(v4: 0x0A00_0000 | UInt32(n % 50)), b: n % 7 == 0 ? IPAddress(high: 0x2001_0DB8 << 32, low: n % 3) : IPAddress(v4: 0x7F00_0001),
                portA: UInt16(32_768 + n % 20_000), portB: n % 2 == 0 ? 80 : 443)
    }

    @Test("same answers as a Dictionary through 200,000 random inserts, updates and removals")
    func matchesDictionary() {
        var table = FlowTable(capacity: 8)
        var reference: [FlowKey: Int32] = [:]
        var rng = SplitMix64(state: 1)
        for step in 0..<200_000 {
            let k = Self.key(rng.next() % 3_000)
            switch rng.next() % 3 {
            case 0, 1:
                table.set(k, Int32(step))
                reference[k] = Int32(step)
            default:
                table.remove(k)
                reference[k] = nil
            }
            if step % 997 == 0 {
                #expect(table.count == reference.count)
                for n in 0..<3_000 {
                    let probe = Self.key(UInt64(n))
                    #expect(table.find(probe) == reference[probe])
                }
            }
        }
        table.removeAll()
        #expect(table.count == 0 && table.find(Self.key(1)) == nil)
    }

    @Test("removing from the middle of a probe run keeps the rest of the run reachable")
    func backwardShift() {
        var table = FlowTable(capacity: 8)
        let keys = (0..<12).map { Self.key(UInt64($0)) }
        for (i, k) in keys.enumerated() { table.set(k, Int32(i)) }
        for i in stride(from: 0, to: 12, by: 2) { table.remove(keys[i]) }
        for (i, k) in keys.enumerated() {
            #expect(table.find(k) == (i % 2 == 0 ? nil : Int32(i)), "key \(i)")
        }
        #expect(table.count == 6)
    }
}
