/// The JSON field names conflictwatch understands, across nginx `escape=json` formats (named
/// after nginx variables), Caddy, Envoy and Traefik. Where several name the same thing the rank
/// decides: e.g. Caddy's `client_ip` (after trusted proxies) beats its `remote_ip`.
enum JSONKey: Equatable {
    case time(rank: Int)
    case client(rank: Int)
    case method
    case requestLine
    case target(rank: Int)
    case host
    /// `envoy`: Envoy's `response_code`; seeing it also says its `duration` is in milliseconds.
    case status(envoy: Bool)
    case bytes(rank: Int)
    case duration(JSONLogParser.DurationUnit)
    case userAgent
    case requestID
    /// An object to descend into (Caddy's `request`, `headers`).
    case nested(Context)

    enum Context { case top, request, headers }

    static let addressWithPortRank = 1

    var nestedContext: Context? {
        if case .nested(let c) = self { return c }
        return nil
    }

    var takesStringArray: Bool { self == .userAgent || self == .requestID }

    static func classify(_ k: UnsafeRawBufferPointer, context: Context) -> JSONKey? {
        if context == .headers {
            if k.equals("User-Agent") { return .userAgent }
            if k.equals("X-Request-Id") || k.equals("X-Request-ID") { return .requestID }
            return nil
        }
        switch k.count {
        case 2:
            if k.equals("ts") { return .time(rank: 6) }
        case 3:
            if k.equals("uri") { return .target(rank: context == .request ? 4 : 2) }
        case 4:
            if k.equals("time") { return .time(rank: 5) }
            if k.equals("path") { return .target(rank: 3) }
            if k.equals("host") { return .host }
            if k.equals("size") { return .bytes(rank: 2) }
            if k.equals("msec") { return .time(rank: 11) }  // sub-second precision: preferred
            if k.equals("verb") { return .method }
            if k.equals("date") { return .time(rank: 1) }
        case 5:
            if k.equals("bytes") { return .bytes(rank: 1) }
            if k.equals("agent") { return .userAgent }
        case 6:
            if k.equals("method") { return .method }
            if k.equals("status") { return .status(envoy: false) }
        case 7:
            // A string in nginx formats (`$request`), an object in Caddy's.
            if k.equals("request") { return context == .top ? .requestLine : nil }
            if k.equals("headers") { return context == .request ? .nested(.headers) : nil }
        case 8:
            if k.equals("duration") { return .duration(.seconds) }
            if k.equals("Duration") { return .duration(.nanoseconds) }
            if k.equals("StartUTC") { return .time(rank: 7) }
        case 9:
            if k.equals("client_ip") { return .client(rank: 6) }
            if k.equals("remote_ip") { return .client(rank: 3) }
            if k.equals("http_host") { return .host }
            if k.equals("timestamp") { return .time(rank: 3) }
            if k.equals("authority") { return .host }
        case 10:
            if k.equals("time_local") { return .time(rank: 9) }
            if k.equals(":authority") { return .host }
            if k.equals("bytes_sent") { return .bytes(rank: 3) }
            if k.equals("request_id") { return .requestID }
            if k.equals("user_agent") || k.equals("user-agent") { return .userAgent }
            if k.equals("ClientHost") { return .client(rank: 2) }
            if k.equals("@timestamp") { return .time(rank: 2) }
            if k.equals("start_time") { return .time(rank: 4) }
            if k.equals("StartLocal") { return .time(rank: 6) }
        case 11:
            if k.equals("remote_addr") { return .client(rank: 5) }
            if k.equals("request_uri") { return .target(rank: 5) }
            if k.equals("RequestPath") { return .target(rank: 5) }
            if k.equals("RequestHost") { return .host }
            if k.equals("status_code") { return .status(envoy: false) }
        case 12:
            if k.equals("request_time") { return .duration(.seconds) }
            if k.equals("time_iso8601") { return .time(rank: 10) }
            if k.equals("x_request_id") { return .requestID }
            if k.equals("x-request-id") { return .requestID }
        case 13:
            if k.equals("response_code") { return .status(envoy: true) }
            if k.equals("RequestMethod") { return .method }
        case 14:
            if k.equals("request_method") { return .method }
        case 15:
            if k.equals("http_user_agent") { return .userAgent }
            if k.equals("body_bytes_sent") { return .bytes(rank: 4) }
        case 16:
            if k.equals("DownstreamStatus") { return .status(envoy: false) }
        case 18:
            if k.equals("request_User-Agent") { return .userAgent }
        case 19:
            if k.equals("x-envoy-origin-path") { return .target(rank: 4) }
        case 20:
            if k.equals("request_X-Request-Id") { return .requestID }
        case 21:
            if k.equals("DownstreamContentSize") { return .bytes(rank: 3) }
        case 25:
            if k.equals("downstream_remote_address") { return .client(rank: addressWithPortRank) }
        default:
            break
        }
        return nil
    }
}
