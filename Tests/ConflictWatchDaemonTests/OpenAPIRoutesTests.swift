import ConflictWatchCore
import Foundation
import Testing
@testable import ConflictWatchDaemon

/// `--openapi FILE` / `openapi:` (SPEC §5.1): an OpenAPI document's paths as route templates.
@Suite struct OpenAPIRoutesTests {
    static let yaml = """
        openapi: 3.0.3
        info: {title: Orders, version: "1"}
        servers:
          - url: https://api.example.com/v2/
        paths:
          /orders/{orderId}:
            put: {responses: {"200": {description: ok}}}
          /orders/{orderId}/items/{itemId}:
            patch: {responses: {"200": {description: ok}}}
          /projects/{projectKey}/settings:
            get: {responses: {"200": {description: ok}}}
          /orders/search:
            get: {responses: {"200": {description: ok}}}
          /files/{name}.json:
            get: {responses: {"200": {description: ok}}}
        """

    @Test func yamlPathsWithTheServersBasePathConcreteFirst() throws {
        let t = try OpenAPIRoutes.templates(text: Self.yaml, file: "orders.yaml")
        #expect(t == ["/v2/orders/search", "/v2/orders/{orderId}", "/v2/projects/{projectKey}/settings", "/v2/files/{name}.json",
                      "/v2/orders/{orderId}/items/{itemId}"])
    }

    @Test func jsonSwagger2WithBasePath() throws {
        let json = #"{"swagger": "2.0", "basePath": "/api", "paths": {"/users/{id}/cart": {}, "/users": {}}}"#
        #expect(try OpenAPIRoutes.templates(text: json, file: "users.json") == ["/api/users", "/api/users/{id}/cart"])
        // OpenAPI 3 in JSON, a relative server URL with a variable, and no servers at all.
        let relative = #"{"openapi": "3.1.0", "servers": [{"url": "/{base}", "variables": {"base": {"default": "v1"}}}], "paths": {"/a/{x}": {}}}"#
        #expect(try OpenAPIRoutes.templates(text: relative, file: "a.json") == ["/v1/a/{x}"])
        let root = #"{"openapi": "3.0.0", "paths": {"/a/{x}": {}}}"#
        #expect(try OpenAPIRoutes.templates(text: root, file: "a.json") == ["/a/{x}"])
    }

    /// The templates route paths as the model file's do: a parameter in the middle matches any
    /// one segment, and a concrete path wins over a templated one.
    @Test func templatesGroupPathsThroughTheNormalizer() throws {
        var p = ModelParameters()
        p.routes.templates = try OpenAPIRoutes.templates(text: Self.yaml, file: "orders.yaml")
        var analyzer = TrafficAnalyzer(parameters: p)
        func route(_ path: String) -> String {
            let method = Array("PUT".utf8), bytes = Array(path.utf8)
            return method.withUnsafeBytes { m in
                bytes.withUnsafeBytes { b in
                    var x = ExchangeView()
                    x.method = m
                    x.path = b
                    return String(decoding: analyzer.route(of: x), as: UTF8.self)
                }
            }
        }
        #expect(route("/v2/projects/alpha/settings") == "/v2/projects/{projectKey}/settings")
        #expect(route("/v2/projects/beta/settings") == "/v2/projects/{projectKey}/settings")
        #expect(route("/v2/orders/search") == "/v2/orders/search")
        #expect(route("/v2/orders/A-17") == "/v2/orders/{orderId}")
        #expect(route("/v2/orders/A-17/items/3") == "/v2/orders/{orderId}/items/{itemId}")
        #expect(route("/v2/files/report.json") == "/v2/files/{name}.json", "a parameter inside a segment")
    }

    @Test func badDocumentsNameTheFileAndTheProblem() throws {
        func problem(_ text: String) -> String {
            do {
                _ = try OpenAPIRoutes.templates(text: text, file: "api.yaml")
                return "no error"
            } catch {
                return error.description
            }
        }
        #expect(problem("openapi: 3.0.0\npaths: [\n") .hasPrefix("api.yaml: not JSON or YAML"))
        #expect(problem(#"{"openapi": "3.0.0", "paths": {"/a": {}"#).hasPrefix("api.yaml: not JSON or YAML"))
        #expect(problem("- just\n- a list\n").contains("expected an OpenAPI document"))
        #expect(problem("info: {title: x}\npaths: {/a: {}}\n").contains("no `openapi:`"))
        #expect(problem("openapi: 4.0.0\npaths: {/a: {}}\n").contains("not OpenAPI 3.x"))
        #expect(problem("openapi: 3.0.0\ninfo: {title: x}\n").contains("no `paths:`"))
        #expect(problem("openapi: 3.0.0\npaths: {}\n").contains("`paths:` is empty"))
        #expect(problem("openapi: 3.0.0\npaths: {orders: {}}\n").contains("does not start with /"))
        #expect(throws: OpenAPIRoutes.ReadError.self) { try OpenAPIRoutes.templates(contentsOf: "/nonexistent/api.yaml") }
    }
}
