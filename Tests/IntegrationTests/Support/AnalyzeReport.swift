import Foundation

/// The parts of `conflictwatch analyze --format json` the model tests check, decoded from the
/// SPEC §6 shapes (not from the implementation's types, so the test holds the output to the
/// contract). Unknown keys are ignored.
struct AnalyzeReport: Decodable, Sendable {
    struct Summary: Decodable, Sendable {
        var lines: Int
        var exchanges: Int
        var malformed: Int
        var writes: Int
        var conflicts: Int
        var firstTime: String?
        var lastTime: String?

        enum CodingKeys: String, CodingKey {
            case lines, exchanges, malformed, writes, conflicts
            case firstTime = "first_time"
            case lastTime = "last_time"
        }
    }

    struct Route: Decodable, Sendable {
        var route: String
        var requests: Int
        var writes: Int
        var conflicts: Int
        var statuses: [String: Int]
    }

    struct ClientCount: Decodable, Sendable {
        var client: String
        var count: Int
    }

    struct ResourceCount: Decodable, Sendable {
        var resource: String
        var count: Int
    }

    struct Alert: Decodable, Sendable {
        var id: String
        var kind: String
        var `class`: [String]
        var severity: String
        var route: String
        var resource: String?
        var client: String?
        var statuses: [String: Int]
        var start: String
        var end: String?
        var peakCount: Int
        var expected: Double
        var score: Double
        var topClients: [ClientCount]
        var topResources: [ResourceCount]
        var reason: String

        enum CodingKeys: String, CodingKey {
            case id, kind, `class`, severity, route, resource, client, statuses, start, end
            case peakCount = "peak_count"
            case expected, score
            case topClients = "top_clients"
            case topResources = "top_resources"
            case reason
        }

        /// One line for failure messages and logs.
        var brief: String {
            "\(kind) \(self.class) route \(route) client \(client ?? "null") start \(start) end \(end ?? "null") "
                + "peak \(peakCount) expected \(expected) score \(score) top_clients "
                + topClients.prefix(3).map { "\($0.client):\($0.count)" }.joined(separator: ",")
        }
    }

    /// A row of the final hot-spot ranking (SPEC §6; only what the tests read).
    struct Hotspot: Decodable, Sendable {
        var resource: String
        var route: String
        var probability: Double
    }

    var summary: Summary
    var routes: [Route]
    var alerts: [Alert]
    /// Optional so that a test that does not read the ranking does not depend on its shape.
    var hotspots: [Hotspot]?

    static func decode(_ data: Data) throws -> AnalyzeReport {
        try JSONDecoder().decode(AnalyzeReport.self, from: data)
    }

    /// Parses the RFC 3339 UTC times conflictwatch prints: `2026-11-24T09:00:00Z` with an
    /// optional fraction of any length (the contract has 6 digits).
    static func date(_ text: String) -> Date? {
        let chars = Array(text.utf8)
        guard chars.count >= 20, chars[4] == UInt8(ascii: "-"), chars[7] == UInt8(ascii: "-"),
              chars[10] == UInt8(ascii: "T"), chars[13] == UInt8(ascii: ":"), chars[16] == UInt8(ascii: ":"),
              chars.last == UInt8(ascii: "Z") else { return nil }
        func number(_ from: Int, _ to: Int) -> Int? { Int(String(decoding: chars[from..<to], as: UTF8.self)) }
        guard let year = number(0, 4), let month = number(5, 7), let day = number(8, 10),
              let hour = number(11, 13), let minute = number(14, 16), let second = number(17, 19) else { return nil }
        var fraction = 0.0
        if chars.count > 20 {
            guard chars[19] == UInt8(ascii: "."), chars.count > 21,
                  let digits = number(20, chars.count - 1) else { return nil }
            fraction = Double(digits) / pow(10, Double(chars.count - 21))
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        return calendar.date(from: components).map { $0.addingTimeInterval(fraction) }
    }
}
