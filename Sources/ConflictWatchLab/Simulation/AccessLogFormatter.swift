import ConflictWatchCore

/// Writes simulated requests as access-log lines, exactly as nginx would with
///
///     log_format combined '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"';
///     log_format json escape=json '{"time_iso8601":"$time_iso8601","msec":$msec,"remote_addr":"$remote_addr","request":"$request","status":$status,"body_bytes_sent":$body_bytes_sent,"request_time":$request_time,"http_user_agent":"$http_user_agent","request_id":"$request_id"}';
///
/// (`common` is `combined` without the referer and user agent). CLF times have whole seconds,
/// like the real thing; the JSON form keeps milliseconds (`$msec`).
public struct AccessLogFormatter: Sendable {
    public let format: SimulatedLogFormat
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public init(format: SimulatedLogFormat) { self.format = format }

    public func line(_ r: SimulatedRequest) -> String {
        let request = "\(r.method) \(r.path) HTTP/1.1"
        switch format {
        case .combined:
            return "\(r.client) - - [\(Self.clf(r.time))] \"\(request)\" \(r.status) \(r.bytes) \"-\" \"\(Self.quoted(r.userAgent))\""
        case .common:
            return "\(r.client) - - [\(Self.clf(r.time))] \"\(request)\" \(r.status) \(r.bytes)"
        case .json:
            let secs = Self.floorDiv(r.time, 1_000_000)
            let ms = Self.floorDiv(r.time - secs * 1_000_000, 1000)
            let latencyMs = r.latencyMicros / 1000
            return "{\"time_iso8601\":\"\(Self.iso(secs))\",\"msec\":\(secs).\(Self.pad(Int(ms), 3)),"
                + "\"remote_addr\":\"\(r.client)\",\"request\":\"\(Self.json(request))\",\"status\":\(r.status),"
                + "\"body_bytes_sent\":\(r.bytes),\"request_time\":\(latencyMs / 1000).\(Self.pad(Int(latencyMs % 1000), 3)),"
                + "\"http_user_agent\":\"\(Self.json(r.userAgent))\",\"request_id\":\"\(r.requestID)\"}"
        }
    }

    /// `24/Nov/2025:16:00:00 +0000`
    static func clf(_ micros: Int64) -> String {
        let secs = floorDiv(micros, 1_000_000)
        let days = floorDiv(secs, 86_400)
        let (y, m, d) = CivilTime.civilFromDays(Int(days))
        let r = Int(secs - days * 86_400)
        return "\(pad(d, 2))/\(months[m - 1])/\(y):\(pad(r / 3600, 2)):\(pad(r % 3600 / 60, 2)):\(pad(r % 60, 2)) +0000"
    }

    /// `2025-11-24T16:00:00+00:00` (nginx's `$time_iso8601`).
    static func iso(_ secs: Int64) -> String {
        let days = floorDiv(secs, 86_400)
        let (y, m, d) = CivilTime.civilFromDays(Int(days))
        let r = Int(secs - days * 86_400)
        return "\(y)-\(pad(m, 2))-\(pad(d, 2))T\(pad(r / 3600, 2)):\(pad(r % 3600 / 60, 2)):\(pad(r % 60, 2))+00:00"
    }

    /// nginx escapes `"` and `\` inside quoted fields of the text formats as `\x22` / `\x5C`.
    static func quoted(_ s: String) -> String { escaped(s, quote: "\\x22", backslash: "\\x5C") }

    static func json(_ s: String) -> String { escaped(s, quote: "\\\"", backslash: "\\\\") }

    static func escaped(_ s: String, quote: String, backslash: String) -> String {
        guard s.contains(where: { $0 == "\"" || $0 == "\\" }) else { return s }
        var out = ""
        for c in s {
            switch c {
            case "\"": out += quote
            case "\\": out += backslash
            default: out.append(c)
            }
        }
        return out
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }

    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
