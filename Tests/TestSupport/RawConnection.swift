import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain TCP connection to 127.0.0.1, for what an HTTP client will not do: send half a
/// request, hold a socket open without sending anything, read the raw response. Non-blocking,
/// waiting with `Task.sleep`: a connect stuck on a full listen backlog must not hold one of the
/// few threads the server under test needs too.
public final class RawConnection {
    private var fd: Int32
    public private(set) var received: [UInt8] = []
    /// When the server's close was first seen (end of stream or reset).
    public private(set) var closedAt: ContinuousClock.Instant?
    /// When the first byte of a response arrived.
    public private(set) var firstByteAt: ContinuousClock.Instant?
    /// When the connection was established (a connect can wait on a full listen backlog).
    public private(set) var openedAt = ContinuousClock.now

    public struct Failure: Error, CustomStringConvertible { public var description: String }

    public init(port: Int) async throws {
        #if os(Linux)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        _ = inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected != 0 {
            guard errno == EINPROGRESS else {
                let code = errno
                Glibc.close(fd)
                throw Failure(description: "connect: errno \(code)")
            }
            let deadline = ContinuousClock.now + .seconds(30)
            while true {
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                if Glibc.poll(&p, 1, 0) == 1 { break }
                guard ContinuousClock.now < deadline else {
                    Glibc.close(fd)
                    throw Failure(description: "connect: no connection after 30 s")
                }
                try await Task.sleep(for: .milliseconds(1))
            }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            guard error == 0 else {
                Glibc.close(fd)
                throw Failure(description: "connect: errno \(error)")
            }
        }
        openedAt = .now
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    public func send(_ text: String) async throws {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if n > 0 {
                bytes = bytes.dropFirst(n)
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                try await Task.sleep(for: .milliseconds(1))
            } else {
                throw Failure(description: "send: errno \(errno)")
            }
        }
    }

    /// Reads what is there without waiting; true once the server has closed.
    @discardableResult
    public func poll() -> Bool {
        guard closedAt == nil else { return true }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 {
                if firstByteAt == nil { firstByteAt = .now }
                received += buffer[..<n]
                continue
            }
            if n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                closedAt = .now
                return true
            }
            return false
        }
    }

    /// Waits up to `timeout` for the server to close; true when it did.
    public func waitForClose(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !poll() {
            if ContinuousClock.now > deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// Closes from this side.
    public func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    public var text: String { String(decoding: received, as: UTF8.self) }

    /// The status code of the response received, if one was.
    public var status: Int? {
        guard text.hasPrefix("HTTP/1.1 ") else { return nil }
        return Int(text.dropFirst(9).prefix(3))
    }

    /// The response body (after the blank line).
    public var body: String? {
        guard let range = text.range(of: "\r\n\r\n") else { return nil }
        return String(text[range.upperBound...])
    }

    /// The message of a SPEC §9 error body.
    public var errorMessage: String? {
        struct Body: Decodable { struct M: Decodable { var message: String }; var error: M }
        guard let body else { return nil }
        return (try? JSONDecoder().decode(Body.self, from: Data(body.utf8)))?.error.message
    }
}

/// Waits until every connection is closed by the server or `timeout` passes; returns the ones
/// still open.
public func waitAllClosed(_ connections: [RawConnection], timeout: Duration) async -> [RawConnection] {
    let deadline = ContinuousClock.now + timeout
    while true {
        let open = connections.filter { !$0.poll() }
        if open.isEmpty || ContinuousClock.now > deadline { return open }
        try? await Task.sleep(for: .milliseconds(20))
    }
}

/// Raises this process's soft open-file limit to the hard one: the tests hold hundreds of
/// sockets, and the server's ends of them are in this process too.
public func raiseOpenFileLimit() {
    var limit = rlimit()
    #if os(Linux)
    let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    let resource = RLIMIT_NOFILE
    #endif
    guard getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
    limit.rlim_cur = min(limit.rlim_max, 65_536)
    _ = setrlimit(resource, &limit)
}
