import ConflictWatchCore
import ConflictWatchStore
import Foundation
import Testing
@testable import ConflictWatchServer

/// `conflictwatch report`: one self-contained file whose embedded data is exactly what the
/// queries returned — and traffic-controlled text (paths, reasons) cannot turn into markup.
@Suite struct ReportPageTests {
    /// The JSON between the data script's tags, decoded as the page's script would.
    func embedded(_ html: String) throws -> [String: Any] {
        let open = try #require(html.range(of: #"<script id="cw-data" type="application/json">"#))
        let close = try #require(html.range(of: "</script>", range: open.upperBound..<html.endIndex))
        return try #require(JSONSerialization.jsonObject(with: Data(html[open.upperBound..<close.lowerBound].utf8)) as? [String: Any])
    }

    @Test func theStoreQueriesAreEmbeddedAndNothingIsFetched() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let data = ReportPage.Data(
            generated: "2026-11-24T12:00:00.000000Z", alerts: try await AlertQuery().run(on: fixture.reader),
            hotspots: try await HotspotQuery().run(on: fixture.reader), routes: try await RouteQuery().run(on: fixture.reader),
            series: try await SeriesQuery().run(on: fixture.reader))
        let html = try ReportPage.html(data)
        let d = try embedded(html)
        #expect((d["alerts"] as? [[String: Any]])?.map { $0["id"] as? String } == ["a1", "a2", "a3", "a4"])
        #expect((d["routes"] as? [[String: Any]])?.first?["conflicts"] as? Int == 10)
        #expect((d["hotspots"] as? [[String: Any]])?.count == 3)
        #expect(((d["series"] as? [String: Any])?["routes"] as? [[String: Any]])?.first?["route"] as? String == "/api/orders/{id}")
        // Self-contained: no URL but the SVG namespace, a CSP that forbids the network, no fetch.
        let urls = html.matches(of: /https?:\/\/[^"' )]+/).map { String($0.output) }
        #expect(urls == ["http://www.w3.org/2000/svg"])
        #expect(html.contains(#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'"#))
        #expect(html.contains("const d = JSON.parse(EMBEDDED.textContent)"))
        // The live dashboard stays the live one.
        #expect(!DashboardPage.html.contains("cw-data\" type") && !DashboardPage.html.contains("Content-Security-Policy"))
    }

    /// `write_rate` is per second; the column says per minute, as the CLI's WRITES/MIN does
    /// (the page once showed 1.9 where the CLI said 111.9). Until a browser runs the page's
    /// script in the tests, this pins the conversion in its source.
    @Test func theHotspotColumnShowsWritesPerMinute() {
        let column = DashboardPage.html.components(separatedBy: "\n").first { $0.contains("title: \"writes/min\"") }
        #expect(column?.contains("h.write_rate * 60") == true, "\(column ?? "no writes/min column")")
    }

    @Test func hostileTextStaysText() throws {
        var alert = StoreFixture.alerts[0]
        alert.route = "/x/</script><script>alert(1)</script>"
        alert.reason = "a & b <!-- \u{2028} -->"
        let data = ReportPage.Data(generated: "g", alerts: [alert], hotspots: [], routes: [],
                                   series: ConflictSeries(start: nil, end: nil, stepSeconds: 60, routes: []))
        let html = try ReportPage.html(data)
        #expect(!html.contains("<script>alert(1)"))
        #expect(!html.contains("<!--"))
        #expect(html.components(separatedBy: "</script>").count == 4, "only the three scripts' own end tags (errors, data, page)")
        let d = try embedded(html)
        let back = try #require((d["alerts"] as? [[String: Any]])?.first)
        #expect(back["route"] as? String == alert.route && back["reason"] as? String == alert.reason, "the text decodes back unchanged")
    }
}
