import PostgresNIO

/// `--database-url postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=…&sslrootcert=FILE]`
/// (SPEC §7), parsed once with messages that say what to fix. The password is never printed:
/// `redacted` is what logs show. `sslmode` means what it means to libpq (and `psql`), default
/// `prefer`.
public struct FleetDatabaseURL: Sendable, Equatable, CustomStringConvertible {
    /// libpq's `sslmode`s: whether TLS is used, and what of the server's certificate is checked.
    public enum TLSMode: String, Sendable, Equatable {
        /// Never.
        case disable
        /// When the server offers it (libpq's default; `allow` means this too), unverified.
        case prefer
        /// Always, unverified — unless `sslrootcert` names a CA, then as `verify-ca`.
        case require
        /// Always, the certificate signed by a trusted CA (`sslrootcert`, else the system's).
        case verifyCA = "verify-ca"
        /// As `verify-ca`, and the certificate names the host.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// PEM file of the CA(s) the server's certificate must chain to (`sslrootcert`).
    public var rootCertificate: String?

    public init(_ text: String) throws(FleetError) {
        let scheme: Substring
        var rest: Substring
        if let r = text.firstRange(of: "://") {
            scheme = text[..<r.lowerBound]
            rest = text[r.upperBound...]
        } else {
            throw FleetError("database URL \(Self.redact(text)): expected postgres://USER@HOST:PORT/DATABASE")
        }
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw FleetError("database URL scheme '\(scheme)': only postgres:// (PostgreSQL) is supported")
        }
        var query: Substring = ""
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        guard let slash = rest.firstIndex(of: "/") else {
            throw FleetError("database URL \(Self.redact(text)): no database name (add /DATABASE after the host)")
        }
        let authority = rest[..<slash]
        database = Self.unescape(rest[rest.index(after: slash)...])
        guard !database.isEmpty else { throw FleetError("database URL \(Self.redact(text)): empty database name") }
        var hostPort = authority
        user = "postgres"
        password = nil
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                user = Self.unescape(userInfo[..<colon])
                password = Self.unescape(userInfo[userInfo.index(after: colon)...])
            } else {
                user = Self.unescape(userInfo)
            }
        }
        port = 5432
        if let colon = hostPort.lastIndex(of: ":"), !hostPort.hasSuffix("]") {
            guard let p = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(p) else {
                throw FleetError("database URL \(Self.redact(text)): the port must be a number from 1 to 65535")
            }
            port = p
            hostPort = hostPort[..<colon]
        }
        host = String(hostPort)
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw FleetError("database URL \(Self.redact(text)): no host") }
        tls = .prefer
        rootCertificate = nil
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { continue }
            switch kv[0] {
            case "sslmode":
                if kv[1] == "allow" {
                    tls = .prefer
                } else if let mode = TLSMode(rawValue: String(kv[1])) {
                    tls = mode
                } else {
                    throw FleetError("database URL sslmode=\(kv[1]): use disable, prefer, require, verify-ca or verify-full")
                }
            case "sslrootcert":
                rootCertificate = Self.unescape(kv[1])
            default:
                continue
            }
        }
        if tls == .require, rootCertificate != nil { tls = .verifyCA }
    }

    /// The URL with the password masked (and the TLS mode when it is not the default).
    public var description: String {
        "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)" + (tls == .prefer ? "" : "?sslmode=\(tls.rawValue)")
    }

    static func redact(_ text: String) -> String {
        guard let r = text.firstRange(of: "://"), let at = text[r.upperBound...].lastIndex(of: "@") else { return text }
        let userInfo = text[r.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }

    private static func unescape(_ s: Substring) -> String {
        String(s).removingPercentEncodingLossy
    }
}

extension String {
    /// %XX decoded; malformed escapes kept as written.
    fileprivate var removingPercentEncodingLossy: String {
        var out: [UInt8] = []
        let u = Array(utf8)
        var i = 0
        while i < u.count {
            if u[i] == UInt8(ascii: "%"), i + 2 < u.count, let v = UInt8(String(decoding: u[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                out.append(v)
                i += 3
            } else {
                out.append(u[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
