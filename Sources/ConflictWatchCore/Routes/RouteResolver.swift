/// Path → route index: the normalizer, the table of routes and the cache of recent paths, the
/// part of `TrafficAnalyzer` that needs nothing of the accounting. The two-thread analysis runs
/// one on the reading thread and hands the accounting thread only indices (and, for a route
/// seen the first time, its bytes), so both threads keep the order a single thread would.
public struct RouteResolver {
    public internal(set) var normalizer: RouteNormalizer
    package internal(set) var routes: RouteTable
    private var cache = RouteCache()
    private var cacheGeneration = 0

    public init(parameters: ModelParameters) {
        normalizer = RouteNormalizer(
            varThreshold: parameters.routes.varThreshold,
            maxLearnedPositions: parameters.routes.maxLearnedPositions,
            templates: parameters.routes.templates)
        routes = RouteTable(maxRoutes: parameters.routes.maxRoutes)
    }

    /// The route index of `x`, whose path hashes to `pathHash` (learning from it, adding a
    /// route on first sight).
    @inline(__always)
    public mutating func resolve(_ x: ExchangeView, pathHash: UInt64) -> Int {
        resolveNoting(x, pathHash: pathHash).index
    }

    /// The route index, and the bytes the route table was given when the index is new (valid
    /// until the next call): what another table must be given to assign the same index.
    @inline(__always)
    package mutating func resolveNoting(_ x: ExchangeView, pathHash: UInt64) -> (index: Int, new: UnsafeRawBufferPointer?) {
        resolveNoting(path: x.path, hasRequestLine: x.hasRequestLine, pathHash: pathHash)
    }

    /// `resolveNoting(_:pathHash:)` for an exchange of which only the path is at hand.
    @inline(__always)
    package mutating func resolveNoting(
        path: UnsafeRawBufferPointer, hasRequestLine: Bool, pathHash: UInt64
    ) -> (index: Int, new: UnsafeRawBufferPointer?) {
        if hasRequestLine, let hit = cache.lookup(pathHash) { return (hit, nil) }
        let before = routes.count
        let route = normalizer.normalize(path: path, hasRequestLine: hasRequestLine)
        let idx = routes.index(of: route)
        if normalizer.generation != cacheGeneration {
            cache.clear()
            cacheGeneration = normalizer.generation
        }
        if hasRequestLine { cache.store(pathHash, route: idx) }
        return (idx, routes.count != before ? route : nil)
    }

    /// Asks for the path-cache slots of paths `resolveNoting` will see shortly (see
    /// `RouteCache.prefetcher`); valid as long as the resolver.
    package var prefetcher: RouteCachePrefetcher { cache.prefetcher }

    /// Adds a route another resolver found (in the same order it found them): the same bytes
    /// give the same index, `{other}` included.
    package mutating func mirror(route: UnsafeRawBufferPointer) -> Int { routes.index(of: route) }

    /// Takes over what another resolver learned (the normalizer's positions), keeping this
    /// one's routes; the cache is cleared at the next lookup.
    package mutating func adopt(normalizer other: RouteNormalizer) {
        normalizer = other
    }

    /// A resolver for another thread that goes on exactly as this one would from here (what the
    /// normalizer learned, the routes and their indices), with buffers of its own: a plain copy
    /// would share the normalizer's output buffer and the path cache, which are classes. The
    /// cache starts empty; it is only a cache.
    package func independentCopy() -> RouteResolver {
        var copy = self
        copy.normalizer = normalizer.independentCopy()
        copy.cache = RouteCache()
        return copy
    }
}
