import ConflictWatchCore

/// The first line holds route templates separated by spaces (it may be empty); every other line
/// is a request path. A low `{var}` threshold and a small table make learning and its bound
/// happen within one input; each route is renormalized again afterwards, as a run's early
/// routes are at its end.
enum RouteHarness {
    static func run(_ data: UnsafeRawBufferPointer) {
        let (first, rest) = splitFirstLine(data)
        let templates = String(decoding: first, as: UTF8.self).split(separator: " ").map(String.init)
        var normalizer = RouteNormalizer(varThreshold: 2, maxLearnedPositions: 8, templates: templates)
        var routes: [[UInt8]] = []
        forEachLine(rest) { line in
            withExactCopy(line) { path in
                let hasRequestLine = !(path.first == 0x21)  // a leading `!` stands for a garbage request line
                let route = normalizer.normalize(path: path, hasRequestLine: hasRequestLine)
                ViewReader.read(route)
                routes.append(Array(route))
            }
        }
        for r in routes {
            r.withUnsafeBytes { bytes in
                withExactCopy(bytes) { ViewReader.read(normalizer.renormalize(route: $0)) }
            }
        }
    }
}
