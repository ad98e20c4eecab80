import ConflictWatchCore
import ConflictWatchServer
import Testing
@testable import ConflictWatchDaemon

/// The glue between the pipeline's reports and the server's status: routes bounded when the
/// pipeline recounts them, kept between recounts, and labels that stay with the publisher (which
/// outlives the pipelines a SIGHUP swaps).
@Suite struct StatusPublisherTests {
    @Test func routesAreBoundedOnARecountAndKeptBetweenRecounts() {
        let status = LiveStatus()
        let publisher = StatusPublisher(status, routeLabels: RouteLabelSet(capacity: 1))
        var p = PipelineStatus()
        p.routeWrites = [("/b", 9, 1), ("/a", 5, 2)]
        p.lines = 3
        publisher.publish(p)
        let bounded = [LiveStatus.RouteTotals(route: "/a", writes: 5, conflicts: 2),
                       LiveStatus.RouteTotals(route: "other", writes: 9, conflicts: 1)]
        #expect(status.snapshot.routes == bounded)
        p.routeWrites = nil
        p.lines = 7
        publisher.publish(p)
        #expect(status.snapshot.routes == bounded)
        #expect(status.snapshot.lines == 7)
        // /b overtakes /a, but a label once given stays: a series never moves into `other`.
        p.routeWrites = [("/b", 90, 50), ("/a", 6, 2)]
        publisher.publish(p)
        #expect(status.snapshot.routes.map(\.route) == ["/a", "other"])
        #expect(status.snapshot.routes.last?.writes == 90)
    }

    @Test func aReportClearsTheLagAndStampsTheCommit() {
        let status = LiveStatus()
        let publisher = StatusPublisher(status)
        publisher.publishLag(2.5)
        #expect(status.snapshot.lagSeconds == 2.5)
        var p = PipelineStatus()
        p.committedAtMicros = 1_700_000_000_500_000
        p.openAlertsByLabel = [AlertLabel(kind: .burst, severity: .high): 2]
        p.openAlerts = 2
        publisher.publish(p)
        #expect(status.snapshot.lagSeconds == 0)
        #expect(status.snapshot.lastCommit == 1_700_000_000.5)
        #expect(status.snapshot.openAlertsByLabel[AlertLabel(kind: .burst, severity: .high)] == 2)
        // A report without a commit (an idle tick) keeps the last commit's time.
        p.committedAtMicros = nil
        publisher.publish(p)
        #expect(status.snapshot.lastCommit == 1_700_000_000.5)
    }
}
