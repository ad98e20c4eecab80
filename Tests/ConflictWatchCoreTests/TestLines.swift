@testable import ConflictWatchCore

/// Runs a parser on a Swift string and returns the owned exchange, or the failure.
func parseLine(_ line: String, format: LogFormat = .auto) -> Result<Exchange, ParseFailure> {
    var parser = LogParser(format: format)
    return parseLine(line, with: &parser)
}

func parseLine(_ line: String, with parser: inout LogParser) -> Result<Exchange, ParseFailure> {
    var bytes = Array(line.utf8)
    return parseBytes(&bytes, with: &parser)
}

func parseBytes(_ bytes: inout [UInt8], with parser: inout LogParser) -> Result<Exchange, ParseFailure> {
    bytes.withUnsafeBytes { buf in
        var x = ExchangeView()
        switch parser.parse(buf, into: &x) {
        case .exchange:
            var analyzer = TrafficAnalyzer()
            let route = analyzer.route(of: x).lossyString
            return .success(Exchange(x, route: route))
        case .malformed(let r):
            return .failure(ParseFailure(reason: r))
        }
    }
}

struct ParseFailure: Error, Equatable { var reason: MalformedReason }

extension Result {
    var value: Success? { if case .success(let v) = self { v } else { nil } }
    var failureReason: MalformedReason? { if case .failure(let f) = self { (f as? ParseFailure)?.reason } else { nil } }
}

/// Seconds → microseconds, for readable expectations.
func us(_ seconds: Int64, _ micros: Int64 = 0) -> Int64 { seconds * 1_000_000 + micros }

/// Common Log Format time text for a test line (the simulator in ConflictWatchLab writes its own;
/// the core tests do not link the lab).
func clfTime(_ micros: Int64) -> String {
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    let secs = micros / 1_000_000
    let (y, m, d) = CivilTime.civilFromDays(Int(secs / 86_400))
    let r = Int(secs % 86_400)
    return "\(pad(d))/\(months[m - 1])/\(y):\(pad(r / 3600)):\(pad(r % 3600 / 60)):\(pad(r % 60)) +0000"
}
