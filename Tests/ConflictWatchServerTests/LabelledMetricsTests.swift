import ConflictWatchCore
import ConflictWatchServer
import Testing

/// `/metrics`' labelled series (SPEC §9): bounded status, kind/severity and route labels, build
/// info and the capture's packet counters, read from the live status at scrape time.
@Suite struct LabelledMetricsTests {
    @Test func statusKindSeverityRouteAndBuildLabels() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let status = LiveStatus()
        var routes = RouteLabelSet(capacity: 2)
        status.update {
            $0.statuses = [200: 900, 201: 5, 409: 40, 412: 7, 418: 3, 451: 2, 299: 1, 0: 4, 700: 1, 599: 6]
            $0.conflictStatuses = [409, 412, 423, 418]
            $0.alertsOpened = [.init(kind: .burst, severity: .high): 3, .init(kind: .hotspot, severity: .medium): 2]
            $0.openAlertsByLabel = [.init(kind: .burst, severity: .critical): 1]
            $0.openAlerts = 1
            $0.routes = routes.bounded([
                (route: "/api/orders/{id}", writes: 500, conflicts: 30),
                (route: "/api/docs/{id}", writes: 100, conflicts: 12),
                (route: "/api/users/{id}", writes: 50, conflicts: 5),
                (route: "/api/tags", writes: 9, conflicts: 0),
            ])
        }
        try await withQueryApp(fixture, status: status) { client in
            let m = try PrometheusText(try await client.get("/metrics").text)
            // The fixed list and the model's conflict statuses by code; the rest by class.
            #expect(m.samples[#"conflictwatch_responses_total{status="200"}"#] == 900)
            #expect(m.samples[#"conflictwatch_responses_total{status="201"}"#] == 5)
            #expect(m.samples[#"conflictwatch_responses_total{status="409"}"#] == 40)
            #expect(m.samples[#"conflictwatch_responses_total{status="412"}"#] == 7)
            #expect(m.samples[#"conflictwatch_responses_total{status="418"}"#] == 3, "a conflict status of the model keeps its code")
            #expect(m.samples[#"conflictwatch_responses_total{status="4xx"}"#] == 2)
            #expect(m.samples[#"conflictwatch_responses_total{status="2xx"}"#] == 1)
            #expect(m.samples[#"conflictwatch_responses_total{status="5xx"}"#] == 6)
            #expect(m.samples[#"conflictwatch_responses_total{status="none"}"#] == 4)
            #expect(m.samples[#"conflictwatch_responses_total{status="other"}"#] == 1)
            #expect(m.types["conflictwatch_responses_total"] == "counter")

            // Every kind and severity, zeros included.
            #expect(m.samples[#"conflictwatch_alerts_opened_total{kind="burst",severity="high"}"#] == 3)
            #expect(m.samples[#"conflictwatch_alerts_opened_total{kind="hotspot",severity="medium"}"#] == 2)
            #expect(m.samples[#"conflictwatch_alerts_opened_total{kind="burst",severity="low"}"#] == 0)
            #expect(m.samples.keys.filter { $0.hasPrefix("conflictwatch_alerts_opened_total{") }.count == 8)
            #expect(m.samples[#"conflictwatch_open_alerts{kind="burst",severity="critical"}"#] == 1)
            #expect(m.samples.keys.filter { $0.hasPrefix("conflictwatch_open_alerts{") }.count == 8)
            #expect(m.openAlerts == 1)
            #expect(m.types["conflictwatch_open_alerts"] == "gauge")

            // Two routes labelled (capacity 2), the rest summed in other.
            #expect(m.samples[#"conflictwatch_route_conflicts_total{route="/api/orders/{id}"}"#] == 30)
            #expect(m.samples[#"conflictwatch_route_conflicts_total{route="/api/docs/{id}"}"#] == 12)
            #expect(m.samples[#"conflictwatch_route_conflicts_total{route="other"}"#] == 5)
            #expect(m.samples[#"conflictwatch_route_writes_total{route="/api/orders/{id}"}"#] == 500)
            #expect(m.samples[#"conflictwatch_route_writes_total{route="other"}"#] == 59)
            #expect(m.samples.keys.filter { $0.hasPrefix("conflictwatch_route_writes_total{") }.count == 3)

            #expect(m.samples[#"conflictwatch_build_info{version="\#(BuildInfo.version)",swift_version="\#(BuildInfo.swiftVersion)"}"#] == 1,
                    "\(m.samples.keys.filter { $0.contains("build") })")
            #expect(Set(m.helps.keys) == Set(m.types.keys), "every metric has HELP and TYPE")
        }
    }

    @Test func packetCountersByDropReason() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let status = LiveStatus()
        status.update { $0.packets = 1234; $0.kernelDrops = 5; $0.interfaceDrops = 2; $0.drops = 7 }
        try await withQueryApp(fixture, status: status) { client in
            let m = try PrometheusText(try await client.get("/metrics").text)
            #expect(m.samples["conflictwatch_packets_total"] == 1234)
            #expect(m.samples[#"conflictwatch_packets_dropped_total{reason="kernel"}"#] == 5)
            #expect(m.samples[#"conflictwatch_packets_dropped_total{reason="interface"}"#] == 2)
            #expect(m.samples["conflictwatch_drops_total"] == 7, "the old unlabelled sum stays")
        }
    }

    /// Without a daemon every labelled family still has its zero series, so queries over them
    /// return 0 rather than nothing.
    @Test func zerosWithoutADaemon() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await withQueryApp(fixture) { client in
            let m = try PrometheusText(try await client.get("/metrics").text)
            #expect(m.samples[#"conflictwatch_route_conflicts_total{route="other"}"#] == 0)
            #expect(m.samples[#"conflictwatch_packets_dropped_total{reason="kernel"}"#] == 0)
            #expect(m.openAlerts == 0)
            #expect(m.samples.keys.contains { $0.hasPrefix("conflictwatch_build_info{") })
        }
    }

    /// Whatever the traffic, at most `capacity` routes get a label, and a labelled route keeps
    /// it, so no series ever goes down (a counter that drops reads as a reset).
    @Test func theRouteLabelSetStaysBoundedAndSticky() {
        var set = RouteLabelSet()
        var totals: [(route: String, writes: UInt64, conflicts: UInt64)] = []
        var lastOther: UInt64 = 0
        var lastByRoute: [String: UInt64] = [:]
        for round in 1...5 {
            // Each round brings 2,000 new routes, busier than every earlier one.
            totals += (0..<2_000).map { i in (route: "/r\(round)/\(i)", writes: UInt64(round * 100 + i % 7), conflicts: UInt64(round * 10 + i % 5)) }
            let rows = set.bounded(totals)
            #expect(rows.count == RouteLabelSet.defaultCapacity + 1)
            #expect(rows.last?.route == RouteLabelSet.otherLabel)
            #expect(rows.reduce(0) { $0 + $1.conflicts } == totals.reduce(0) { $0 + $1.conflicts }, "nothing lost")
            #expect(Set(lastByRoute.keys).isSubset(of: rows.map(\.route)), "a labelled route keeps its label")
            let other = rows.last!.conflicts
            #expect(other >= lastOther)
            lastOther = other
            for r in rows.dropLast() {
                #expect(r.conflicts >= lastByRoute[r.route] ?? 0)
                lastByRoute[r.route] = r.conflicts
            }
        }
        #expect(set.labelled.count == 20)
        // The first round's most conflicting routes got the labels (i % 5 == 4: 14 conflicts),
        // the most written of those (i % 7 == 6: 106 writes) first.
        #expect(set.labelled.allSatisfy { $0.hasPrefix("/r1/") && Int($0.dropFirst(4)).map { $0 % 5 == 4 && $0 % 7 == 6 } == true },
                "\(set.labelled.sorted())")
    }

    @Test func routesWithoutWritesTakeNoLabel() {
        var set = RouteLabelSet(capacity: 3)
        let rows = set.bounded([(route: "/a", writes: 0, conflicts: 0), (route: "/b", writes: 2, conflicts: 0)])
        #expect(rows.map(\.route) == ["/b", "other"])
    }
}
