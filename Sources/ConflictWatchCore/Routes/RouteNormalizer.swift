/// Maps a request path to its route template (SPEC §5.1): explicit templates first, then
/// per-segment placeholders (`{id}`, `{uuid}`, …), then learned `{var}` positions.
/// The result is written into an internal buffer and returned as a view, valid until the next
/// call — no allocation per line.
public struct RouteNormalizer {
    public static let invalidRoute: StaticString = "{invalid}"
    static let maxRouteBytes = 1024
    static let maxSegments = 32

    var learner: VarPositionLearner
    private let templates: RouteTemplates
    private var out: RouteBuffer

    public init(varThreshold: Int = 64, maxLearnedPositions: Int = 16_384, templates: [String] = []) {
        learner = VarPositionLearner(threshold: varThreshold, capacity: maxLearnedPositions)
        self.templates = RouteTemplates(templates)
        out = RouteBuffer(capacity: Self.maxRouteBytes + 64)
    }

    /// The route of `path`; `hasRequestLine` false (garbage request lines) gives `{invalid}`.
    @inline(__always)
    public mutating func normalize(path: UnsafeRawBufferPointer, hasRequestLine: Bool) -> UnsafeRawBufferPointer {
        guard hasRequestLine else { return out.write(Self.invalidRoute) }
        return build(Self.stripAuthority(path), learn: true)
    }

    /// Re-applies what has been learned since to a route built earlier (`/users/alice` →
    /// `/users/{var}`), so that a run's early routes merge with its later ones.
    public mutating func renormalize(route: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        // `{invalid}` and the route table's `{other}` are names, not paths: kept as they are.
        if route.first == ASCII.openBrace { return out.write(route) }
        return build(route, learn: false)
    }

    /// What was learned, with an output buffer of its own: a plain copy shares the buffer (a
    /// class), so a copy handed to another thread must be made this way.
    package func independentCopy() -> RouteNormalizer {
        var copy = self
        copy.out = RouteBuffer(capacity: Self.maxRouteBytes + 64)
        return copy
    }

    /// Changes whenever a position is learned as `{var}`.
    public var generation: Int { learner.generation }

    /// Changes whenever what it learns from changes at all (see `VarPositionLearner.changes`).
    package var learnerChanges: UInt64 { learner.changes }

    /// `http://host:port/x` (absolute-form, proxies) → `/x`.
    @inline(__always)
    static func stripAuthority(_ p: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard p.count > 8, p[0] == 0x68 || p[0] == 0x48 else { return p }
        let schemeEnd: Int
        if p.hasPrefix("http://") || p.hasPrefix("HTTP://") {
            schemeEnd = 7
        } else if p.hasPrefix("https://") || p.hasPrefix("HTTPS://") {
            schemeEnd = 8
        } else {
            return p
        }
        guard let slash = p.firstIndex(of: ASCII.slash, from: schemeEnd) else { return UnsafeRawBufferPointer.empty }
        return p.slice(slash, p.count)
    }

    private mutating func build(_ path: UnsafeRawBufferPointer, learn: Bool) -> UnsafeRawBufferPointer {
        if learn, !templates.isEmpty, let t = templates.match(path) {
            return t.withUnsafeBytes { out.write($0) }
        }
        let buf = out.base
        let cap = Self.maxRouteBytes
        var w = 0
        buf[0] = ASCII.slash
        w = 1
        if path.count == 1, path[0] == 0x2A { buf[0] = 0x2A; return out.view(1) }  // OPTIONS *
        var i = path.count > 0 && path[0] == ASCII.slash ? 1 : 0
        var prefix: UInt64 = 0x5EED
        var depth = 0
        while i <= path.count {
            let end = path.firstIndexNear(of: ASCII.slash, from: i) ?? path.count
            let seg = path.slice(i, end)
            var placeholder: Placeholder? = nil
            if seg.count > 0 {
                if seg[0] == ASCII.openBrace, seg[seg.count - 1] == ASCII.closeBrace {
                    placeholder = Placeholder.allCases.first { seg.equals($0.text) }
                }
                if placeholder == nil { placeholder = SegmentClassifier.classify(seg) }
                if placeholder == nil {
                    let isVar = learn
                        ? learner.observe(prefix: prefix, depth: depth, valueHash: ByteHash.hash(seg))
                        : learner.isVariable(prefix: prefix, depth: depth)
                    if isVar { placeholder = .variable }
                }
            }
            let text: UnsafeRawBufferPointer
            if let placeholder {
                let s = placeholder.text
                text = UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)
            } else {
                text = seg
            }
            guard w + text.count + 8 < cap else {
                w = append("{…}", at: w)
                break
            }
            if text.count > 0 {
                (buf.baseAddress! + w).copyMemory(from: text.baseAddress!, byteCount: text.count)
                w += text.count
            }
            prefix = ByteHash.combine(prefix, placeholder.map { UInt64($0.rawValue) &+ 1 } ?? ByteHash.hash(text))
            if end >= path.count { break }
            depth += 1
            if depth >= Self.maxSegments {
                w = append("/{…}", at: w)
                break
            }
            buf[w] = ASCII.slash
            w += 1
            i = end + 1
        }
        return out.view(w)
    }

    @inline(__always)
    private func append(_ s: StaticString, at w: Int) -> Int {
        (out.base.baseAddress! + w).copyMemory(from: s.utf8Start, byteCount: s.utf8CodeUnitCount)
        return w + s.utf8CodeUnitCount
    }
}

/// The normalizer's output buffer (a class so the struct stays cheap to copy and the memory is
/// freed once).
final class RouteBuffer {
    let base: UnsafeMutableRawBufferPointer
    init(capacity: Int) { base = .allocate(byteCount: capacity, alignment: 8) }
    deinit { base.deallocate() }

    @inline(__always) func view(_ count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base.baseAddress, count: count)
    }

    @inline(__always) func write(_ s: StaticString) -> UnsafeRawBufferPointer {
        base.baseAddress!.copyMemory(from: s.utf8Start, byteCount: s.utf8CodeUnitCount)
        return view(s.utf8CodeUnitCount)
    }

    @inline(__always) func write(_ s: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let n = min(s.count, base.count)
        if n > 0 { base.baseAddress!.copyMemory(from: s.baseAddress!, byteCount: n) }
        return view(n)
    }
}
