import Testing
@testable import ConflictWatchCore

/// Write methods are matched exactly — length and every byte, case included — whether they fit
/// the packed word (up to 8 bytes) or not.
@Suite struct TrafficClassTests {
    let traffic = TrafficClass(writeMethods: ["PUT", "PATCH", "POST", "DELETE", "CHECKOUT", "PROPPATCH"], conflictStatuses: [409, 412])

    func isWrite(_ m: String) -> Bool { Array(m.utf8).withUnsafeBytes { traffic.isWrite($0) } }

    @Test func exactMethodsOnly() {
        for m in ["PUT", "PATCH", "POST", "DELETE", "CHECKOUT", "PROPPATCH"] {
            #expect(isWrite(m), "\(m)")
        }
        for m in ["GET", "HEAD", "", "P", "PU", "POS", "POSTS", "post", "Put", "PUT\u{0}", "DELET", "DELETE ",
                  "CHECKOUS", "CHECKOUTX", "PROPPATCX", "PROPPATC", "XPROPPATCH", "OPTIONS"] {
            #expect(!isWrite(m), "\(m.debugDescription)")
        }
    }

    /// The packed word, worked out byte by byte: byte i at bits 8i…8i+7, the first eight bytes
    /// only, for every length from 0 to 12 and bytes of every value.
    @Test func aMethodPacksIntoAWordByteByByte() {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        for n in 0...12 {
            for _ in 0..<200 {
                var bytes: [UInt8] = []
                for _ in 0..<n {
                    state ^= state << 13; state ^= state >> 7; state ^= state << 17
                    bytes.append(UInt8(truncatingIfNeeded: state))
                }
                var expected: UInt64 = 0
                for (i, b) in bytes.prefix(8).enumerated() { expected += UInt64(b) * (1 << UInt64(8 * i)) }
                #expect(bytes.withUnsafeBytes { TrafficClass.packed($0) } == expected, "\(bytes)")
            }
        }
    }

    @Test func conflictStatuses() {
        #expect(traffic.isConflict(409) && traffic.isConflict(412))
        #expect(!traffic.isConflict(200) && !traffic.isConflict(-1) && !traffic.isConflict(1024) && !traffic.isConflict(410))
    }
}
