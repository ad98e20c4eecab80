import Foundation

/// One JSON line of `conflictwatch parse` output (SPEC section 3).
struct ParsedExchange: Decodable, Sendable {
    var time: String
    var client: String
    var method: String
    var host: String?
    var path: String
    var query: String?
    var route: String
    var status: Int?
    var bytes: Int?
    var latencyMs: Double?
    var userAgent: String?
    var requestID: String?
    var source: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case time, client, method, host, path, query, route, status, bytes
        case latencyMs = "latency_ms"
        case userAgent = "user_agent"
        case requestID = "request_id"
        case source
    }

    /// Every record carries all keys, null where unknown.
    static let requiredKeys = Set(CodingKeys.allCases.map(\.rawValue))

    /// Decodes JSON lines; a line that is not a complete record becomes a problem description.
    static func decodeLines(_ data: Data) -> (records: [ParsedExchange], problems: [String]) {
        var records: [ParsedExchange] = []
        var problems: [String] = []
        let decoder = JSONDecoder()
        for (index, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .enumerated() where !line.isEmpty {
            let lineData = Data(line)
            do {
                let object = try JSONSerialization.jsonObject(with: lineData)
                guard let dict = object as? [String: Any] else {
                    problems.append("output line \(index + 1) is not a JSON object")
                    continue
                }
                let missing = requiredKeys.subtracting(dict.keys)
                if !missing.isEmpty {
                    problems.append("output line \(index + 1) lacks keys \(missing.sorted())")
                }
                records.append(try decoder.decode(ParsedExchange.self, from: lineData))
            } catch {
                problems.append("output line \(index + 1) does not decode: \(error): "
                    + String(decoding: line.prefix(200), as: UTF8.self))
            }
        }
        return (records, problems)
    }

    /// `time` as a Date, if it has the contract's shape `yyyy-MM-ddTHH:mm:ss.ffffffZ`.
    var date: Date? {
        let chars = Array(time.utf8)
        guard chars.count == 27, chars[4] == UInt8(ascii: "-"), chars[10] == UInt8(ascii: "T"),
              chars[19] == UInt8(ascii: "."), chars[26] == UInt8(ascii: "Z") else { return nil }
        func number(_ from: Int, _ to: Int) -> Int? { Int(String(decoding: chars[from..<to], as: UTF8.self)) }
        guard let year = number(0, 4), let month = number(5, 7), let day = number(8, 10),
              let hour = number(11, 13), let minute = number(14, 16), let second = number(17, 19),
              let micros = number(20, 26) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        return calendar.date(from: components).map { $0.addingTimeInterval(Double(micros) / 1_000_000) }
    }

    /// The 1-based line number at the end of `source` ("FILE:LINENO").
    var sourceLine: Int? {
        source.split(separator: ":").last.flatMap { Int($0) }
    }
}
