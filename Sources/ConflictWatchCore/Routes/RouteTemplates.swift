/// Explicit route templates (`/api/orders/{id}/items`) from the model file or an OpenAPI
/// document: a path whose segments match a template's literals, with any single segment under
/// a segment holding a `{…}` parameter (`{id}`, or `{name}.json` as a whole), takes that
/// template as its route. First match wins, in the order given.
package struct RouteTemplates: Sendable {
    struct Template: Sendable {
        var text: [UInt8]
        /// nil = wildcard segment.
        var segments: [[UInt8]?]
    }

    private var bySegmentCount: [Int: [Template]] = [:]
    package let isEmpty: Bool

    package init(_ templates: [String]) {
        for t in templates {
            var path = Substring(t)
            if path.hasPrefix("/") { path = path.dropFirst() }
            let segs: [[UInt8]?] = path.split(separator: "/", omittingEmptySubsequences: false).map { s in
                s.contains("{") && s.contains("}") ? nil : Array(s.utf8)
            }
            bySegmentCount[segs.count, default: []].append(Template(text: Array(t.utf8), segments: segs))
        }
        isEmpty = templates.isEmpty
    }

    /// The template matching `path` (without query), if any.
    func match(_ path: UnsafeRawBufferPointer) -> [UInt8]? {
        var start = path.count > 0 && path[0] == ASCII.slash ? 1 : 0
        var bounds: [(Int, Int)] = []
        bounds.reserveCapacity(16)
        while true {
            let end = path.firstIndex(of: ASCII.slash, from: start) ?? path.count
            bounds.append((start, end))
            if end >= path.count { break }
            start = end + 1
        }
        guard let candidates = bySegmentCount[bounds.count] else { return nil }
        outer: for t in candidates {
            for (k, seg) in t.segments.enumerated() {
                guard let lit = seg else { continue }
                let (a, b) = bounds[k]
                guard b - a == lit.count else { continue outer }
                let same = lit.withUnsafeBytes { path.slice(a, b).equals($0) }
                if !same { continue outer }
            }
            return t.text
        }
        return nil
    }
}
