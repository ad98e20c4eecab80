import ConflictWatchServer
import ConflictWatchStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging

/// Runs `body` against the query application over the fixture store, in process.
func withQueryApp(
    _ fixture: StoreFixture, results: (any ResultStore)? = nil, silences: (any SilenceStore)? = nil, token: String? = nil, status: LiveStatus? = nil, silenceWriter: ConflictStore? = nil,
    setup: TestingSetup = .router, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    let configuration = try QueryServerConfiguration(host: "127.0.0.1", port: 0, apiToken: token)
    let app = buildQueryApplication(configuration: configuration, store: fixture.reader, results: results, silences: silences, status: status, silenceWriter: silenceWriter,
                                    logger: StoreFixture.logger)
    try await app.test(setup) { client in try await body(client) }
}

/// One response, its body as text.
struct Reply: Sendable {
    var status: Int
    var text: String
    var headers: HTTPFields

    /// The message of a SPEC §9 error body, nil when the body has another shape.
    var errorMessage: String? {
        struct Body: Decodable { struct M: Decodable { var message: String }; var error: M }
        return (try? JSONDecoder().decode(Body.self, from: Data(text.utf8)))?.error.message
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(type, from: Data(text.utf8)) }
}

extension TestClientProtocol {
    func get(_ uri: String, token: String? = nil) async throws -> Reply {
        try await send(uri, method: .get, token: token)
    }

    func send(_ uri: String, method: HTTPRequest.Method, body: String? = nil, token: String? = nil) async throws -> Reply {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { r in
            Reply(status: Int(r.status.code), text: String(buffer: r.body), headers: r.headers)
        }
    }
}
