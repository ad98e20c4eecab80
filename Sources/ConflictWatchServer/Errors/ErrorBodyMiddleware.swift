import ConflictWatchStore
import Hummingbird
import Logging

/// Gives every failure the SPEC §9 error body: Hummingbird's own (an unknown path is a bare
/// 404) and unexpected ones (a 500 that says to look at the daemon's log, where the detail goes,
/// since store paths and SQL errors are not for whoever can reach the port).
struct ErrorBodyMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as QueryParameterError {
            return try APIError.badParameter(error).response(from: request, context: context)
        } catch let error as ResultStoreUnavailable {
            // The fleet's database is down: the agent itself is fine, so not a 500.
            return try APIError(status: .serviceUnavailable, message: error.message, headers: [.retryAfter: "10"])
                .response(from: request, context: context)
        } catch let error as HTTPError {
            let message = error.body ?? Self.defaultMessage(error.status, path: request.uri.path)
            return try APIError(status: error.status, message: message, headers: error.headers).response(from: request, context: context)
        } catch {
            logger.error("query API request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return try APIError(status: .internalServerError, message: "the query failed; the daemon's log says why")
                .response(from: request, context: context)
        }
    }

    static func defaultMessage(_ status: HTTPResponse.Status, path: String) -> String {
        switch status {
        case .notFound: "no such endpoint: \(path) (see GET / for the dashboard, /api/v1/alerts, /api/v1/hotspots, /api/v1/routes, /api/v1/silences, /metrics, /healthz)"
        default: status.reasonPhrase
        }
    }
}
