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
        #expect(u.requireTLS == false)
        #expect(u.description == "postgres://cw:***@db.internal:6543/fleet")
    }

    @Test func defaultsAndIPv6() throws {
        let u = try FleetDatabaseURL("postgresql://[::1]/conflictwatch")
        #expect(u.user == "postgres")
        #expect(u.password == nil)
        #expect(u.host == "::1")
        #expect(u.port == 5432)
        #expect(u.description == "postgres://postgres@::1:5432/conflictwatch")
    }

    @Test(arguments: [
        ("mysql://u@h/db", "only postgres://"),
        ("u@h/db", "expected postgres://"),
        ("postgres://u@h", "no database name"),
        ("postgres://u@h/", "empty database name"),
        ("postgres://u@h:0/db", "port must be a number from 1 to 65535"),
        ("postgres://u@h:99999/db", "port must be a number from 1 to 65535"),
        ("postgres://u@/db", "no host"),
        ("postgres://u@h/db?sslmode=verify-full", "use disable or require"),
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
