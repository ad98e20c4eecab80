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

    @Test func conflictStatuses() {
        #expect(traffic.isConflict(409) && traffic.isConflict(412))
        #expect(!traffic.isConflict(200) && !traffic.isConflict(-1) && !traffic.isConflict(1024) && !traffic.isConflict(410))
    }
}
