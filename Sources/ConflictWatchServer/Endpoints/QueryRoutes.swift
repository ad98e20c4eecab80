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
    static let silencesPath = SilenceRequest.path
    /// A POSTed silence is a few hundred bytes; anything much larger is not one.
    static let maxSilenceBody = 16 * 1024

    /// `silenceWriter` is the store handle silences are written through (the daemon's writer);
    /// without one the silences can be listed but not changed. `results` and `silences` are what
    /// the alerts, hot spots, routes, series and silences are read from when not `store` (a fleet
    /// agent's API shows the fleet's); metrics and health stay this daemon's.
    static func router(store: ConflictStore, results: (any ResultStore)? = nil, silences: (any SilenceStore)? = nil,
                       status: LiveStatus?, connections: ConnectionGate? = nil,
                       apiToken: String?, silenceWriter: ConflictStore? = nil, logger: Logger) -> Router<BasicRequestContext> {
        // HEAD for probes (`curl -I /healthz`) comes from the GET routes.
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.middlewares.add(ErrorBodyMiddleware(logger: logger))
        if let apiToken { router.middlewares.add(BearerTokenMiddleware(token: apiToken)) }

        let reader = StoreReader(store: store)
        let results: any ResultStore = results ?? reader
        let metrics = MetricsExporter(status: status, connections: connections)

        router.get(RouterPath(alertsPath)) { request, _ -> Response in
            let query = try AlertQuery(parameters: pairs(request))
            let filter = try query.filter()
            return JSONResponse.make(body: try await results.alerts(filter))
        }
        router.get(RouterPath(alertsPath + "/{id}")) { request, context -> Response in
            _ = try QueryParameters(pairs(request), known: [])
            // Hummingbird hands path parameters over still percent-encoded.
            let raw = try context.parameters.require("id")
            guard let id = QueryString.decode(raw[...]) else {
                throw APIError(status: .badRequest, message: "id: invalid percent-encoding (% must be followed by two hex digits)")
            }
            guard let alert = try await results.alert(id: id) else {
                throw APIError(status: .notFound, message: "no alert \(id); list them at \(alertsPath)")
            }
            return JSONResponse.make(body: alert)
        }
        router.get(RouterPath(hotspotsPath)) { request, _ -> Response in
            let query = try HotspotQuery(parameters: pairs(request))
            return JSONResponse.make(body: try await query.run(on: results))
        }
        router.get(RouterPath(routesPath)) { request, _ -> Response in
            let query = try RouteQuery(parameters: pairs(request))
            return JSONResponse.make(body: try await query.run(on: results))
        }
        router.get(RouterPath(seriesPath)) { request, _ -> Response in
            let query = try SeriesQuery(parameters: pairs(request))
            return JSONResponse.make(body: try await query.run(on: results))
        }
        let writer = silenceWriter.map { StoreReader(store: $0) }
        addSilenceRoutes(router, silences: silences ?? StoreSilences(reader: reader, writer: writer), writable: silences != nil || writer != nil)
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
        // Silences are the one thing the API changes.
        let readOnly = [alertsPath, alertsPath + "/{id}", hotspotsPath, routesPath, seriesPath, "/metrics", "/healthz", "/"]
        let allowed: [(String, [HTTPRequest.Method], String)] = readOnly.map { ($0, [.post, .put, .patch, .delete], "GET, HEAD") }
            + [(silencesPath, [.put, .patch, .delete], "GET, HEAD, POST"), (silencesPath + "/{id}", [.post, .put, .patch], "GET, HEAD, DELETE")]
        for (path, methods, allow) in allowed {
            for method in methods {
                router.on(RouterPath(path), method: method) { request, _ -> Response in
                    let use = allow == "GET, HEAD" ? "this API is read-only, use GET" : "use \(allow.replacingOccurrences(of: "HEAD, ", with: ""))"
                    throw APIError(status: .methodNotAllowed, message: "\(request.method.rawValue) \(request.uri.path): \(use)",
                                   headers: [.allow: allow])
                }
            }
        }
        return router
    }

    /// `GET/POST /api/v1/silences`, `GET/DELETE /api/v1/silences/{id}` (SPEC §6).
    static func addSilenceRoutes(_ router: Router<BasicRequestContext>, silences: any SilenceStore, writable: Bool) {
        router.get(RouterPath(silencesPath)) { request, _ -> Response in
            let p = try QueryParameters(pairs(request), known: ["all"])
            let all = try p.flag("all")
            return JSONResponse.make(body: try await silences.silences(includeExpired: all))
        }
        router.post(RouterPath(silencesPath)) { request, _ -> Response in
            _ = try QueryParameters(pairs(request), known: [])
            guard writable else { throw readOnlySilences }
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: maxSilenceBody)
            } catch {
                throw APIError(status: .contentTooLarge, message: "body: a silence is at most \(maxSilenceBody) bytes of JSON")
            }
            let silence = try SilenceRequest(json: Data(body.readableBytesView)).silence(now: QueryTime.nowMicros())
            try await silences.addSilence(silence)
            var response = JSONResponse.make(status: .created, body: silence)
            response.headers[.location] = silencesPath + "/" + silence.id
            return response
        }
        router.get(RouterPath(silencesPath + "/{id}")) { request, context -> Response in
            _ = try QueryParameters(pairs(request), known: [])
            let id = try silenceID(context)
            guard let silence = try await silences.silence(id: id) else { throw noSilence(id) }
            return JSONResponse.make(body: silence)
        }
        router.delete(RouterPath(silencesPath + "/{id}")) { request, context -> Response in
            _ = try QueryParameters(pairs(request), known: [])
            guard writable else { throw readOnlySilences }
            let id = try silenceID(context)
            guard let silence = try await silences.expireSilence(id: id) else { throw noSilence(id) }
            return JSONResponse.make(body: silence)
        }
    }

    static var readOnlySilences: APIError {
        APIError(status: .methodNotAllowed, message: "this server cannot change silences (no store writer); use `conflictwatch silence` on the host",
                 headers: [.allow: "GET, HEAD"])
    }

    static func noSilence(_ id: String) -> APIError {
        APIError(status: .notFound, message: "no silence \(id); list them at \(silencesPath)?all=true")
    }

    static func silenceID(_ context: BasicRequestContext) throws -> String {
        let raw = try context.parameters.require("id")
        guard let id = QueryString.decode(raw[...]) else {
            throw APIError(status: .badRequest, message: "id: invalid percent-encoding (% must be followed by two hex digits)")
        }
        return id
    }

    static func pairs(_ request: Request) throws(QueryParameterError) -> [(String, String)] {
        try QueryString.pairs(request.uri.query)
    }
}
