import Hummingbird

/// Demands `Authorization: Bearer TOKEN` when a token is configured (SPEC §9). `/healthz` stays
/// open for load balancers and probes, and `/` too: the dashboard page holds no data and a
/// browser cannot add a header to a navigation; its script sends the token with each fetch.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    static var openPaths: Set<String> { ["/healthz", "/"] }

    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !Self.openPaths.contains(request.uri.path) else { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw Self.unauthorized("this server needs Authorization: Bearer TOKEN (the daemon's --api-token)")
        }
        let prefix = "bearer "
        guard header.count > prefix.count, header.prefix(prefix.count).lowercased() == prefix,
              Self.constantTimeEqual(Array(header.utf8.dropFirst(prefix.count)), Array(token.utf8))
        else {
            throw Self.unauthorized("the bearer token is not the daemon's --api-token")
        }
        return try await next(request, context)
    }

    static func unauthorized(_ message: String) -> APIError {
        APIError(status: .unauthorized, message: message, headers: [.wwwAuthenticate: "Bearer realm=\"conflictwatch\""])
    }

    /// The time taken depends on the lengths only, never on where the first difference is, so
    /// the token cannot be guessed byte by byte from response times.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff: UInt8 = a.count == b.count ? 0 : 1
        for i in 0..<max(a.count, b.count) {
            diff |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return diff == 0
    }
}
