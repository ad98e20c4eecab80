/// Writes one exchange as a JSON line with the SPEC §3 fields, in the SPEC's order.
package enum ExchangeJSONLine {
    package static func append(
        _ x: ExchangeView, route: UnsafeRawBufferPointer, source: [UInt8], line: Int,
        keepQuery: Bool, to out: inout [UInt8]
    ) {
        out.append(ASCII.openBrace)
        JSONText.appendKey("time", to: &out)
        out.append(ASCII.quote)
        CivilTime.appendRFC3339(x.time, to: &out)
        out.append(ASCII.quote)
        out.append(ASCII.comma)
        JSONText.appendKey("client", to: &out)
        JSONText.appendString(x.client, to: &out)
        out.append(ASCII.comma)
        JSONText.appendKey("method", to: &out)
        JSONText.appendString(x.method, to: &out)
        out.append(ASCII.comma)
        JSONText.appendKey("host", to: &out)
        optional(x.host, &out)
        JSONText.appendKey("path", to: &out)
        JSONText.appendString(x.path, to: &out)
        out.append(ASCII.comma)
        JSONText.appendKey("query", to: &out)
        optional(keepQuery ? x.query : nil, &out)
        JSONText.appendKey("route", to: &out)
        JSONText.appendString(route, to: &out)
        out.append(ASCII.comma)
        JSONText.appendKey("status", to: &out)
        if x.status >= 0 { JSONText.appendInt(Int64(x.status), to: &out) } else { JSONText.appendNull(to: &out) }
        out.append(ASCII.comma)
        JSONText.appendKey("bytes", to: &out)
        if x.bytes >= 0 { JSONText.appendInt(x.bytes, to: &out) } else { JSONText.appendNull(to: &out) }
        out.append(ASCII.comma)
        JSONText.appendKey("latency_ms", to: &out)
        if x.latencyMicros >= 0 { JSONText.appendMillis(x.latencyMicros, to: &out) } else { JSONText.appendNull(to: &out) }
        out.append(ASCII.comma)
        JSONText.appendKey("user_agent", to: &out)
        optional(x.userAgent, &out)
        JSONText.appendKey("request_id", to: &out)
        optional(x.requestID, &out)
        JSONText.appendKey("source", to: &out)
        out.append(ASCII.quote)
        out.append(contentsOf: source)
        out.append(ASCII.colon)
        JSONText.appendInt(Int64(line), to: &out)
        out.append(ASCII.quote)
        out.append(ASCII.closeBrace)
        out.append(ASCII.newline)
    }

    @inline(__always)
    private static func optional(_ v: UnsafeRawBufferPointer?, _ out: inout [UInt8]) {
        if let v { JSONText.appendString(v, to: &out) } else { JSONText.appendNull(to: &out) }
        out.append(ASCII.comma)
    }

    /// A source name escaped once for every line it is written on (without quotes).
    package static func escapedSource(_ name: String) -> [UInt8] {
        var tmp: [UInt8] = []
        JSONText.appendString(name, to: &tmp)
        return Array(tmp[1..<(tmp.count - 1)])
    }
}
