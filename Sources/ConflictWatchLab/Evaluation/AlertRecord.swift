import ConflictWatchCore
import Foundation

/// An alert as `evaluate` reads it: the `alerts` of `analyze --format json`, or a bare JSON
/// array of SPEC §6 alerts. Only what the matching rule needs is read, and everything but
/// `kind`, `route` and `start` may be missing, so alerts kept from older versions or written
/// by other tools can be scored too.
///
/// Two shapes of hotspot alert are read: one per resource (`resource` set), and one per route
/// whose `top_resources` entries say when each resource joined (`since`). A burst alert may list
/// `escalations` (a step on top of the alert while it was open).
public struct AlertRecord: Sendable, Equatable {
    /// A `top_resources` entry; `since` is when the resource joined a grouped hotspot alert.
    public struct TopResource: Sendable, Equatable {
        public var resource: String
        public var count: Int?
        public var since: Int64?

        public init(_ resource: String, count: Int? = nil, since: Int64? = nil) {
            self.resource = resource
            self.count = count
            self.since = since
        }
    }

    public var id: String
    public var kind: String
    public var classes: [String]
    public var route: String
    public var resource: String?
    public var client: String?
    public var start: Int64
    public var end: Int64?
    public var topResources: [TopResource]
    public var topClients: [String]
    /// Times at which an open burst escalated.
    public var escalations: [Int64]

    public init(id: String, kind: String, classes: [String] = [], route: String, resource: String? = nil, client: String? = nil,
                start: Int64, end: Int64? = nil, topResources: [TopResource] = [], topClients: [String] = [],
                escalations: [Int64] = []) {
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
        self.escalations = escalations
    }

    public var isBurst: Bool { kind == "burst" }
    public var isHotspot: Bool { kind == "hotspot" }
    /// The resource the alert is about: its own, else the one holding most of its conflicts.
    public var mainResource: String? { resource ?? topResources.first?.resource }

    /// Every resource the alert names, each with when it joined the alert: its own resource
    /// at the alert's start, and each top resource at its `since` (at the start without one).
    public var members: [(resource: String, since: Int64)] {
        var out: [(resource: String, since: Int64)] = []
        if let resource { out.append((resource, start)) }
        for r in topResources { out.append((r.resource, r.since ?? start)) }
        return out
    }

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
        struct ResourceCount: Decodable {
            var resource: String
            var count: Int?
            var since: String?
        }
        struct Escalation: Decodable { var time: String }
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
        var escalations: [Escalation]?

        func time(_ text: String, _ field: String) throws(FormatError) -> Int64 {
            guard let t = EvaluationTime.micros(text) else {
                throw FormatError(description: "alert \(id ?? route): \(field) \"\(text)\" is not an RFC 3339 time")
            }
            return t
        }

        func record() throws(FormatError) -> AlertRecord {
            let s = try time(start, "start")
            let e = try end.map { v throws(FormatError) in try time(v, "end") }
            var top: [TopResource] = []
            for r in top_resources ?? [] {
                top.append(TopResource(r.resource, count: r.count, since: try r.since.map { v throws(FormatError) in try time(v, "top_resources since") }))
            }
            var steps: [Int64] = []
            for x in escalations ?? [] { steps.append(try time(x.time, "escalation time")) }
            return AlertRecord(
                id: id ?? "\(kind)@\(start)", kind: kind, classes: self.class ?? [], route: route, resource: resource,
                client: client, start: s, end: e, topResources: top, topClients: top_clients?.map(\.client) ?? [],
                escalations: steps)
        }
    }
}
