import Foundation

/// The fields of one nginx `combined` access-log line that the model test needs, read with an
/// independent little parser (not conflictwatch's), so the test can check conflictwatch's times
/// and counts against nginx's own log. Only for lines whose request and user agent hold no `"`
/// (true of the traffic the test sends).
struct CombinedLogLine: Sendable {
    var client: String
    /// `$time_local`, whole seconds.
    var date: Date
    var method: String
    var path: String
    var status: Int

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    init?(_ line: Substring) {
        guard let space = line.firstIndex(of: " "),
              let open = line.firstIndex(of: "["), let close = line[open...].firstIndex(of: "]"),
              let date = Self.date(line[line.index(after: open)..<close]) else { return nil }
        let afterTime = line[close...]
        guard let q1 = afterTime.firstIndex(of: "\""),
              let q2 = afterTime[afterTime.index(after: q1)...].firstIndex(of: "\"") else { return nil }
        let request = afterTime[afterTime.index(after: q1)..<q2].split(separator: " ")
        let rest = afterTime[afterTime.index(after: q2)...].split(separator: " ")
        guard request.count >= 2, let status = rest.first.flatMap({ Int($0) }) else { return nil }
        client = String(line[..<space])
        self.date = date
        method = String(request[0])
        path = String(request[1].split(separator: "?", maxSplits: 1)[0])
        self.status = status
    }

    /// Parses `24/Nov/2026:20:07:36 +0000`.
    static func date(_ text: Substring) -> Date? {
        let parts = text.split(whereSeparator: { $0 == "/" || $0 == ":" || $0 == " " })
        guard parts.count == 7, let day = Int(parts[0]), let month = months.firstIndex(of: String(parts[1])),
              let year = Int(parts[2]), let hour = Int(parts[3]), let minute = Int(parts[4]),
              let second = Int(parts[5]), parts[6].count == 5, let zone = Int(parts[6].dropFirst()) else { return nil }
        let sign = parts[6].first == "-" ? -1 : 1
        let offset = sign * ((zone / 100) * 3600 + (zone % 100) * 60)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month + 1, day: day, hour: hour, minute: minute, second: second)
        return calendar.date(from: components).map { $0.addingTimeInterval(TimeInterval(-offset)) }
    }

    /// Every line of the file that parses; `unparsed` counts the others.
    static func read(_ path: String) -> (lines: [CombinedLogLine], unparsed: Int) {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        var lines: [CombinedLogLine] = []
        var unparsed = 0
        for raw in text.split(separator: "\n") {
            if let line = CombinedLogLine(raw) { lines.append(line) } else { unparsed += 1 }
        }
        return (lines, unparsed)
    }
}
