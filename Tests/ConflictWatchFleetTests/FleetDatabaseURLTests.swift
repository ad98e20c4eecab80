import Testing
@testable import ConflictWatchFleet

/// `--database-url` (SPEC §7): what it accepts, what it refuses and says, and that a password
/// never reaches a log line.
@Suite struct FleetDatabaseURLTests {
    @Test func fullURL() throws {
        let u = try FleetDatabaseURL("postgres://cw:s%40cret@db.internal:6543/fleet?sslmode=disable")
        #expect(u.user == "cw")
        #expect(u.password == "s@cret")
        #expect(u.host == "db.internal")
        #expect(u.port == 6543)
        #expect(u.database == "fleet")
        #expect(u.tls == .disable)
        #expect(u.description == "postgres://cw:***@db.internal:6543/fleet?sslmode=disable")
    }

    @Test func defaultsAndIPv6() throws {
        let u = try FleetDatabaseURL("postgresql://[::1]/conflictwatch")
        #expect(u.user == "postgres")
        #expect(u.password == nil)
        #expect(u.host == "::1")
        #expect(u.port == 5432)
        #expect(u.description == "postgres://postgres@::1:5432/conflictwatch")
        #expect(u.tls == .prefer && u.rootCertificate == nil, "libpq's default")
    }

    @Test(arguments: [
        ("sslmode=disable", FleetDatabaseURL.TLSMode.disable), ("sslmode=allow", .prefer), ("sslmode=prefer", .prefer),
        ("sslmode=require", .require), ("sslmode=verify-ca", .verifyCA), ("sslmode=verify-full", .verifyFull),
        // As libpq: `require` with a root certificate checks the chain.
        ("sslmode=require&sslrootcert=/etc/ssl/db-ca.pem", .verifyCA),
        ("sslrootcert=%2Fetc%2Fssl%2Fdb-ca.pem&sslmode=verify-full", .verifyFull),
    ])
    func sslModesMeanWhatTheyMeanToLibpq(query: String, mode: FleetDatabaseURL.TLSMode) throws {
        let u = try FleetDatabaseURL("postgres://cw@db/fleet?" + query)
        #expect(u.tls == mode)
        #expect(u.rootCertificate == (query.contains("sslrootcert") ? "/etc/ssl/db-ca.pem" : nil))
    }

    @Test(arguments: [
        ("mysql://u@h/db", "only postgres://"),
        ("u@h/db", "expected postgres://"),
        ("postgres://u@h", "no database name"),
        ("postgres://u@h/", "empty database name"),
        ("postgres://u@h:0/db", "port must be a number from 1 to 65535"),
        ("postgres://u@h:99999/db", "port must be a number from 1 to 65535"),
        ("postgres://u@/db", "no host"),
        ("postgres://u@h/db?sslmode=verify", "use disable, prefer, require, verify-ca or verify-full"),
    ])
    func refusedWithTheReason(text: String, says: String) {
        #expect {
            _ = try FleetDatabaseURL(text)
        } throws: { error in
            "\(error)".contains(says)
        }
    }

    @Test func aRefusedURLNeverPrintsItsPassword() {
        #expect {
            _ = try FleetDatabaseURL("postgres://cw:hunter2@h:70000/db")
        } throws: { error in
            let text = "\(error)"
            return !text.contains("hunter2") && text.contains("cw:***@h:70000")
        }
    }
}
