import ConflictWatchCore
import Foundation
import Yams

/// Route templates read from an OpenAPI 3 or Swagger 2 document (SPEC §5.1, `--openapi FILE` and
/// the config's `openapi:`): each key of `paths` (`/orders/{orderId}`) becomes a template, prefixed
/// with the base path the API is served under (OpenAPI 3's first `servers[].url`, Swagger 2's
/// `basePath`). JSON is read as the YAML subset it is, so one parser takes both.
public enum OpenAPIRoutes {
    /// A document that cannot give templates; the message names the file and the problem.
    public struct ReadError: Error, CustomStringConvertible, Sendable {
        public var description: String
        init(_ file: String, _ message: String) { description = "\(file): \(message)" }
    }

    /// The model file's templates followed by the document's (the model file's win, being
    /// first), within the model file's bound on their number.
    public static func merged(_ templates: [String], document path: String) throws(ReadError) -> [String] {
        let all = templates + (try Self.templates(contentsOf: path)).filter { !templates.contains($0) }
        guard all.count <= ModelParameters.maxTemplates else {
            throw ReadError(path, "with the model file's, \(all.count) route templates; at most \(ModelParameters.maxTemplates) are allowed")
        }
        return all
    }

    public static func templates(contentsOf path: String) throws(ReadError) -> [String] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ReadError(path, "cannot read it as UTF-8 text (\(error.localizedDescription))")
        }
        return try templates(text: text, file: path)
    }

    public static func templates(text: String, file: String) throws(ReadError) -> [String] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ReadError(file, "not JSON or YAML: \(String(describing: error).split(separator: "\n").first ?? "")")
        }
        guard let document = root?.mapping else {
            throw ReadError(file, "expected an OpenAPI document (a mapping with `openapi:` or `swagger:` and `paths:`)")
        }
        let version = document["openapi"]?.scalar?.string ?? document["swagger"]?.scalar?.string
        guard let version else {
            throw ReadError(file, "no `openapi:` (3.x) or `swagger:` (2.0) version key; is this an OpenAPI document?")
        }
        guard version.hasPrefix("3.") || version.hasPrefix("2.") else {
            throw ReadError(file, "version \(TerminalText.escape(version)) is not OpenAPI 3.x or Swagger 2.0")
        }
        guard let paths = document["paths"]?.mapping else {
            throw ReadError(file, "no `paths:` mapping: there are no routes to read")
        }
        let base = version.hasPrefix("2.") ? document["basePath"]?.scalar?.string ?? "" : serverBasePath(document["servers"])
        var seen: Set<String> = []
        var out: [String] = []
        for (key, _) in paths {
            guard let path = key.scalar?.string, path.hasPrefix("/") else {
                throw ReadError(file, "paths: key \(TerminalText.escape(key.scalar?.string ?? "?")) does not start with /")
            }
            let template = joined(base, path)
            guard template.utf8.count <= ModelParameters.maxTemplateBytes else {
                throw ReadError(file, "paths: \(TerminalText.escape(String(path.prefix(60))))… is longer than \(ModelParameters.maxTemplateBytes) bytes")
            }
            if seen.insert(template).inserted { out.append(template) }
        }
        guard !out.isEmpty else { throw ReadError(file, "`paths:` is empty: there are no routes to read") }
        guard out.count <= ModelParameters.maxTemplates else {
            throw ReadError(file, "\(out.count) paths; at most \(ModelParameters.maxTemplates) are read")
        }
        return ordered(out)
    }

    /// Templates are tried in order and the first match wins; OpenAPI says a concrete path
    /// (`/orders/search`) matches before a templated one (`/orders/{id}`), so templates with
    /// fewer parameters come first (the document's order otherwise).
    static func ordered(_ templates: [String]) -> [String] {
        func parameters(_ t: String) -> Int { t.split(separator: "/").filter { $0.contains("{") }.count }
        return templates.enumerated().sorted { (parameters($0.element), $0.offset) < (parameters($1.element), $1.offset) }.map(\.element)
    }

    /// The path of the first server URL (`https://api.example.com/v1` or `/v1`), "" when there is
    /// none or it is the root. Server variables (`{basePath}`) take their default.
    static func serverBasePath(_ servers: Node?) -> String {
        guard let first = servers?.sequence?.first, let mapping = first.mapping,
              var url = mapping["url"]?.scalar?.string else { return "" }
        if let variables = mapping["variables"]?.mapping {
            for (name, spec) in variables {
                guard let n = name.scalar?.string, let d = spec.mapping?["default"]?.scalar?.string else { continue }
                url = url.replacingOccurrences(of: "{\(n)}", with: d)
            }
        }
        if let scheme = url.range(of: "://") {
            let rest = url[scheme.upperBound...]
            url = rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? ""
        }
        if let query = url.firstIndex(where: { $0 == "?" || $0 == "#" }) { url = String(url[..<query]) }
        return url
    }

    static func joined(_ base: String, _ path: String) -> String {
        var b = base
        while b.hasSuffix("/") { b.removeLast() }
        if !b.isEmpty && !b.hasPrefix("/") { b = "/" + b }
        return b + path
    }
}
