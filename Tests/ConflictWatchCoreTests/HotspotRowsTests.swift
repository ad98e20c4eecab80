import Testing
@testable import ConflictWatchCore

/// The report's hot-spot rows are ranked without their labels and named afterwards: they must
/// still be exactly the full ranking's first rows above 1% probability.
@Suite struct HotspotRowsTests {
    @Test func rowsAreTheFullRankingsTopAboveOnePercent() throws {
        var d = TrafficDriver()
        let t0 = TrafficDriver.start
        // Thirty orders at different write rates, some quiet ones far below 1%, and a stampede.
        HotspotRuleTests.popularOrders(&d, from: t0, seconds: 20 * 60, orders: 30)
        for k in 0..<40 {
            d.send(at: t0 + Int64(k) * 20 * HotspotRuleTests.second, client: "10.9.0.\(k % 3 + 1)",
                   method: "PUT", path: "/api/quiet/\(k % 8)", status: 200)
        }
        HotspotRuleTests.stampede(&d, path: "/api/orders/4242", from: t0 + 18 * HotspotRuleTests.minute, seconds: 90)
        d.finish()

        let model = d.analyzer.model
        let scores = model.resourceScores()
        #expect(scores.contains { $0.probability < 0.01 }, "the traffic must rank resources below the 1% cut")
        for top in [1, 5, 12, 100] {
            let expected = scores.filter { $0.probability >= 0.01 }.prefix(top)
            let rows = model.hotspotRows(top: top)
            #expect(rows.count == expected.count)
            for (row, score) in zip(rows, expected) {
                #expect(row.resource == score.resource)
                #expect(row.route == score.route)
                #expect(row.probability == (score.probability * 1000).rounded() / 1000)
                #expect(row.writeRate == (score.writeRate * 1000).rounded() / 1000)
                #expect(row.writers == score.writers)
                #expect(row.conflicts == score.conflicts)
            }
        }
    }
}
