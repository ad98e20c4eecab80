import AsyncHTTPClient
import ConflictWatchServer
import Foundation
import NIOCore
import NIOHTTP1

/// The query commands' `--server URL` (SPEC §2): one GET against a running daemon's query API,
/// decoded into the types the store returns, so every format prints exactly as from the store.
struct APIClient {
    enum Method: Sendable { case get, post, delete }

    /// The server's URL without a trailing slash.
    let base: String
    let token: String?

    init(base: String, token: String?) {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
        self.token = token
    }

    static func isValidBase(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else { return false }
        return (scheme == "http" || scheme == "https") && url.query == nil && url.fragment == nil
    }

    func get<T: Decodable & Sendable>(_ type: T.Type, path: String, parameters: [(String, String)] = []) async throws -> T {
        try await send(type, method: .get, path: path, parameters: parameters)
    }

    /// One request (`silence add` POSTs, `silence expire` DELETEs), its answer decoded.
    func send<T: Decodable & Sendable>(_ type: T.Type, method: Method, path: String, parameters: [(String, String)] = [],
                                       body: Data? = nil) async throws -> T {
        let url = base + path + (parameters.isEmpty ? "" : "?" + parameters.map { Self.encode($0) + "=" + Self.encode($1) }.joined(separator: "&"))
        let (status, body) = try await fetch(url, method: method, body: body)
        let decoder = JSONDecoder()
        guard (200..<300).contains(status) else {
            let message = (try? decoder.decode(ErrorBody.self, from: body))?.error.message
            var hint = ""
            if status == 401 {
                hint = token == nil
                    ? "; pass --api-token or set \(QueryServerConfiguration.tokenEnvironmentVariable)"
                    : "; check --api-token (or \(QueryServerConfiguration.tokenEnvironmentVariable)) against the daemon's"
            }
            guard let message else {
                throw RuntimeFailure("\(base) answered HTTP \(status) without a conflictwatch error: is --server the daemon's --listen address?")
            }
            throw RuntimeFailure("\(base): \(message)\(hint)")
        }
        do {
            return try decoder.decode(T.self, from: body)
        } catch {
            throw RuntimeFailure("\(url) did not answer with conflictwatch JSON (\(error)): is --server the daemon's --listen address?")
        }
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters: `+` in a time zone
    /// offset or `/` and `*` in a route glob must reach the server unchanged.
    static func encode(_ s: String) -> String {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    /// The reason of a failed request in a few words: AsyncHTTPClient's errors print as nested
    /// type dumps ("NIOConnectionError(host: …, connectionErrors: [SingleConnectionFailure…").
    static func connectionProblem(_ error: any Error) -> String {
        // The socket error sits inside NIOPosix's connection error (a list of attempts).
        if let io = firstIOError(error) { return Self.describe(errno: io.errnoCode) }
        if String(describing: type(of: error)).contains("NIOConnectionError") { return "cannot resolve the host name" }
        if let e = error as? HTTPClientError {
            switch e {
            case .connectTimeout: return "connection timed out"
            case .deadlineExceeded, .readTimeout: return "no answer in time"
            case .remoteConnectionClosed: return "the server closed the connection"
            default: break
            }
        }
        let text = "\(error)"
        if text.contains("refused") { return "connection refused" }
        return String(text.prefix(200))
    }

    static func firstIOError(_ value: Any, depth: Int = 0) -> IOError? {
        if let io = value as? IOError { return io }
        guard depth < 5 else { return nil }
        for child in Mirror(reflecting: value).children {
            if let found = firstIOError(child.value, depth: depth + 1) { return found }
        }
        return nil
    }

    static func describe(errno code: Int32) -> String {
        code == ECONNREFUSED ? "connection refused" : String(cString: strerror(code))
    }

    private struct ErrorBody: Decodable {
        struct Message: Decodable { var message: String }
        var error: Message
    }

    /// Status and body of one request; a connection failure says what to check.
    private func fetch(_ url: String, method: Method, body: Data?) async throws -> (Int, Data) {
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(5), read: .seconds(60))))
        let result: Result<(Int, Data), any Error>
        do {
            var request = HTTPClientRequest(url: url)
            switch method {
            case .get: request.method = .GET
            case .post: request.method = .POST
            case .delete: request.method = .DELETE
            }
            request.headers.add(name: "Accept", value: "application/json")
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: body))
            }
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            let response = try await client.execute(request, timeout: .seconds(65))
            let body = try await response.body.collect(upTo: 256 << 20)
            result = .success((Int(response.status.code), Data(body.readableBytesView)))
        } catch {
            result = .failure(error)
        }
        try? await client.shutdown()
        switch result {
        case .success(let r): return r
        case .failure(let error):
            throw RuntimeFailure("cannot connect to \(base): \(Self.connectionProblem(error)); is the daemon running with --listen on that address?")
        }
    }
}
