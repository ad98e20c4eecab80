import Foundation

/// An alert as `evaluate` reads it: the `alerts` of `analyze --format json`, or a bare JSON
/// array of SPEC §6 alerts. Only what the matching rule needs is read, and everything but
/// `kind`, `route` and `start` may be missing, so alerts kept from older versions or written
/// by other tools can be scored too.
public struct AlertRecord: Sendable, Equatable {
    public var id: String
    public var kind: String
    public var classes: [String]
    public var route: String
    public var resource: String?
    public var client: String?
    public var start: Int64
    public var end: Int64?
    public var topResources: [String]
    public var topClients: [String]

    public init(id: String, kind: String, classes: [String] = [], route: String, resource: String? = nil, client: String? = nil,
                start: Int64, end: Int64? = nil, topResources: [String] = [], topClients: [String] = []) {
        self.id = id
        self.kind = kind
        self.classes = classes
        self.route = route
        self.resource = resource
        self.client = client
        self.start = start
        self.end = end
        self.topResources = topResources
        self.topClients = topClients
    }

    public var isBurst: Bool { kind == "burst" }
    public var isHotspot: Bool { kind == "hotspot" }
    /// The resource the alert is about: its own, else the one holding most of its conflicts.
    public var mainResource: String? { resource ?? topResources.first }

    public struct FormatError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads `analyze --format json` output or a bare array of alerts.
    public static func decodeList(_ data: Data) throws(FormatError) -> [AlertRecord] {
        let decoder = JSONDecoder()
        let wires: [Wire]
        if let list = try? decoder.decode([Wire].self, from: data) {
            wires = list
        } else {
            do {
                wires = try decoder.decode(Document.self, from: data).alerts
            } catch {
                throw FormatError(description:
                    "expected `conflictwatch analyze --format json` output (an object with \"alerts\") or a JSON array of alerts: \(Self.explain(error))")
            }
        }
        var out: [AlertRecord] = []
        for w in wires { out.append(try w.record()) }
        return out
    }

    /// A decoding error as one line naming the field, for messages a person can act on.
    public static func explain(_ error: any Error) -> String {
        guard let e = error as? DecodingError else { return "\(error)" }
        func path(_ c: DecodingError.Context) -> String {
            c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch e {
        case .keyNotFound(let key, let c): return "missing \"\(key.stringValue)\" at \(path(c).isEmpty ? "top level" : path(c))"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "\(c.debugDescription) at \(path(c))"
        case .dataCorrupted(let c): return "not valid JSON (\(c.underlyingError.map { "\($0)" } ?? c.debugDescription))"
        @unknown default: return "\(e)"
        }
    }

    private struct Document: Decodable { var alerts: [Wire] }

    private struct Wire: Decodable {
        struct ClientCount: Decodable { var client: String }
        struct ResourceCount: Decodable { var resource: String }
        var id: String?
        var kind: String
        var `class`: [String]?
        var route: String
        var resource: String?
        var client: String?
        var start: String
        var end: String?
        var top_clients: [ClientCount]?
        var top_resources: [ResourceCount]?

        func record() throws(FormatError) -> AlertRecord {
            guard let s = EvaluationTime.micros(start) else {
                throw FormatError(description: "alert \(id ?? route): start \"\(start)\" is not an RFC 3339 time")
            }
            var e: Int64?
            if let end {
                guard let t = EvaluationTime.micros(end) else {
                    throw FormatError(description: "alert \(id ?? route): end \"\(end)\" is not an RFC 3339 time")
                }
                e = t
            }
            return AlertRecord(
                id: id ?? "\(kind)@\(start)", kind: kind, classes: self.class ?? [], route: route, resource: resource,
                client: client, start: s, end: e, topResources: top_resources?.map(\.resource) ?? [],
                topClients: top_clients?.map(\.client) ?? [])
        }
    }
}
