import Foundation

/// The daemon tests' access log: combined-format PUT traffic from `start` for `seconds`,
/// `perSecond` background writes by 50 clients over 200 orders (every 50th a 409), plus, when
/// `storm`, 127.0.0.66 replaying a stale version of order 13 five times a second (all 409).
public enum OrderTraffic {
    public static func combined(start: Date, seconds: Int, perSecond: Int = 4, storm: Bool = false) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
        var out = ""
        var n = 0
        for s in 0..<seconds {
            let t = f.string(from: start.addingTimeInterval(Double(s)))
            for _ in 0..<perSecond {
                n += 1
                out += "10.0.0.\(n % 50 + 1) - - [\(t)] \"PUT /api/orders/\(n * 7 % 200) HTTP/1.1\" \(n % 50 == 0 ? 409 : 200) 1 \"-\" \"x\"\n"
            }
            if storm {
                for _ in 0..<5 { out += "127.0.0.66 - - [\(t)] \"PUT /api/orders/13 HTTP/1.1\" 409 1 \"-\" \"retry\"\n" }
            }
        }
        return out
    }
}
