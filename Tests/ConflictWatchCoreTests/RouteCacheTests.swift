import Testing
@testable import ConflictWatchCore

/// The path cache's prefetcher is a second spelling of the cache's slot arithmetic, for another
/// module's hot loop: a slip would not change a single result, only ask the CPU for the wrong
/// line on every request, so a test must compare the addresses.
@Suite struct RouteCacheTests {
    @Test("the prefetcher asks for the slot the cache uses, for any hash and table size")
    func prefetcherAddressesTheCacheSlot() {
        var state: UInt64 = 7
        for slots in [1_024, 4_096, 65_536] {
            let cache = RouteCache(slots: slots)
            let prefetcher = cache.prefetcher
            for _ in 0..<10_000 {
                // SplitMix64: hashes spread over all 64 bits.
                state &+= 0x9E37_79B9_7F4A_7C15
                var h = (state ^ state >> 30) &* 0xBF58_476D_1CE4_E5B9
                h = (h ^ h >> 27) &* 0x94D0_49BB_1331_11EB
                h ^= h >> 31
                #expect(prefetcher.address(h) == cache.address(h))
            }
            #expect(prefetcher.address(0) == cache.address(0))
            #expect(prefetcher.address(.max) == cache.address(.max))
        }
    }
}
