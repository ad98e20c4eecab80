import ConflictWatchCore
import ConflictWatchStore
import Foundation
import Hummingbird
import Logging

/// The endpoints of SPEC §9 on one router. Middlewares are added before the routes, since
/// Hummingbird wraps each route in the middlewares present when it is added. A bad query
/// parameter surfaces as `QueryParameterError`, which `ErrorBodyMiddleware` answers with 400.
enum QueryRoutes {
    static let alertsPath = AlertQuery.path
    static let hotspotsPath = HotspotQuery.path
    static let routesPath = RouteQuery.path
    static let seriesPath = SeriesQuery.path

    static func router(store: ConflictStore, status: LiveStatus?, connections: ConnectionGate? = nil, apiToken: String?, logger: Logger) -> Router<BasicRequestContext> {
        // HEAD for probes (`curl -I /healthz`) comes from the GET routes.
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.middlewares.add(ErrorBodyMiddleware(logger: logger))
        if let apiToken { router.middlewares.add(BearerTokenMiddleware(token: apiToken)) }

        let reader = StoreReader(store: store)
        let metrics = MetricsExporter(status: status, connections: connections)

        router.get(RouterPath(alertsPath)) { request, _ -> Response in
            let query = try AlertQuery(parameters: pairs(request))
            let filter = try query.filter()
            return JSONResponse.make(body: try await reader.read { try $0.alerts(filter) })
        }
        router.get(RouterPath(alertsPath + "/{id}")) { request, context -> Response in
            _ = try QueryParameters(pairs(request), known: [])
            // Hummingbird hands path parameters over still percent-encoded.
            let raw = try context.parameters.require("id")
            guard let id = QueryString.decode(raw[...]) else {
                throw APIError(status: .badRequest, message: "id: invalid percent-encoding (% must be followed by two hex digits)")
            }
            guard let alert = try await reader.read({ try $0.alert(id: id) }) else {
                throw APIError(status: .notFound, message: "no alert \(id); list them at \(alertsPath)")
            }
            return JSONResponse.make(body: alert)
        }
        router.get(RouterPath(hotspotsPath)) { request, _ -> Response in
            let query = try HotspotQuery(parameters: pairs(request))
            return JSONResponse.make(body: try await reader.read { try query.run(on: $0) })
        }
        router.get(RouterPath(routesPath)) { request, _ -> Response in
            let query = try RouteQuery(parameters: pairs(request))
            let window = try query.window()
            return JSONResponse.make(body: try await reader.read { try $0.routes(sinceMinute: window.sinceMinute, untilMinute: window.untilMinute) })
        }
        router.get(RouterPath(seriesPath)) { request, _ -> Response in
            let query = try SeriesQuery(parameters: pairs(request))
            return JSONResponse.make(body: try await reader.read { try query.run(on: $0) })
        }
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        router.get("/healthz") { _, _ -> Response in
            JSONResponse.make(body: HealthReport(status: status))
        }
        router.get("/") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [
                    .contentType: "text/html; charset=utf-8",
                    .cacheControl: "no-store",
                    // The page may talk to this server only: no external assets, no other hosts.
                    .contentSecurityPolicy: "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:",
                ],
                body: ResponseBody(byteBuffer: ByteBuffer(string: DashboardPage.html)))
        }
        // Hummingbird answers a known path with another method 404; say 405 and what is allowed.
        for path in [alertsPath, alertsPath + "/{id}", hotspotsPath, routesPath, seriesPath, "/metrics", "/healthz", "/"] {
            for method in [HTTPRequest.Method.post, .put, .patch, .delete] {
                router.on(RouterPath(path), method: method) { request, _ -> Response in
                    throw APIError(status: .methodNotAllowed, message: "\(request.method.rawValue) \(request.uri.path): this API is read-only, use GET",
                                   headers: [.allow: "GET, HEAD"])
                }
            }
        }
        return router
    }

    static func pairs(_ request: Request) throws(QueryParameterError) -> [(String, String)] {
        try QueryString.pairs(request.uri.query)
    }
}
