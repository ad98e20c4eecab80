#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Loopback TCP helpers: find a free port, see whether ::1 works, probe a listener.
enum LoopbackSocket {
    #if os(Linux)
    private static let streamType = Int32(SOCK_STREAM.rawValue)
    #else
    private static let streamType = SOCK_STREAM
    #endif

    /// A port that is free on 127.0.0.1 (and on ::1 too when `alsoIPv6`), found by binding port 0
    /// and closing again. Another process may grab it in between: callers retry on a bind error.
    static func freePort(alsoIPv6: Bool) -> UInt16? {
        for _ in 0..<20 {
            guard let port = bindAndRelease(ipv6: false, port: 0) else { continue }
            if alsoIPv6, bindAndRelease(ipv6: true, port: port) == nil { continue }
            return port
        }
        return nil
    }

    /// True when a TCP socket can be bound to [::1] (IPv6 enabled on the loopback interface).
    static var ipv6LoopbackAvailable: Bool {
        bindAndRelease(ipv6: true, port: 0) != nil
    }

    /// True when something accepts TCP connections on the address; sends nothing, so a web
    /// server logs nothing for the probe.
    static func canConnect(ipv6: Bool, port: UInt16) -> Bool {
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, streamType, 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return withAddress(ipv6: ipv6, port: port) { addr, len in connect(fd, addr, len) == 0 }
    }

    /// Binds a socket to the loopback address and returns the bound port, or nil.
    private static func bindAndRelease(ipv6: Bool, port: UInt16) -> UInt16? {
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, streamType, 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if ipv6 {
            var on: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        let bound = withAddress(ipv6: ipv6, port: port) { addr, len in bind(fd, addr, len) == 0 }
        guard bound else { return nil }
        if ipv6 {
            var sin6 = sockaddr_in6()
            var len = socklen_t(MemoryLayout<sockaddr_in6>.size)
            let ok = withUnsafeMutablePointer(to: &sin6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) == 0 }
            }
            return ok ? UInt16(bigEndian: sin6.sin6_port) : nil
        } else {
            var sin = sockaddr_in()
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            let ok = withUnsafeMutablePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) == 0 }
            }
            return ok ? UInt16(bigEndian: sin.sin_port) : nil
        }
    }

    /// Calls `body` with 127.0.0.1:port or [::1]:port as a `sockaddr`.
    private static func withAddress(
        ipv6: Bool, port: UInt16, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Bool
    ) -> Bool {
        if ipv6 {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = port.bigEndian
            _ = inet_pton(AF_INET6, "::1", &sin6.sin6_addr)
            return withUnsafePointer(to: &sin6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    body($0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            _ = inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr)
            return withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }
}
