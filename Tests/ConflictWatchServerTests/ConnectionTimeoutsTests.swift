import ConflictWatchCore
import NIOCore
import Testing
@testable import ConflictWatchServer

/// The timeout state machine alone, on made-up times.
@Suite struct ConnectionTimeoutsTests {
    let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000_000)
    func machine() -> ConnectionTimeouts { ConnectionTimeouts(idleTimeout: .seconds(60), requestTimeout: .seconds(10)) }

    @Test func aSilentConnectionIsClosedWithoutAnAnswerAfterTheRequestTimeout() {
        var m = machine()
        #expect(m.opened(now: t0) == .schedule(t0 + .seconds(10)))
        #expect(m.timerFired(now: t0 + .seconds(9)) == .schedule(t0 + .seconds(10)), "an early wake-up waits again")
        #expect(m.timerFired(now: t0 + .seconds(10)) == .close)
        #expect(m.phase == .closed)
    }

    @Test func aHalfSentHeadGets408AndMoreBytesDoNotExtendIt() {
        var m = machine()
        _ = m.opened(now: t0)
        #expect(m.bytesReceived(now: t0 + .seconds(1)) == .none)
        #expect(m.bytesReceived(now: t0 + .seconds(9)) == .none)
        #expect(m.timerFired(now: t0 + .seconds(10)) == .requestTimedOut)
    }

    @Test func aKeepAliveConnectionGetsTheIdleTimeoutAfterItsResponse() {
        var m = machine()
        _ = m.opened(now: t0)
        _ = m.bytesReceived(now: t0)
        #expect(m.requestHeadReceived() == .cancelTimer)
        #expect(m.timerFired(now: t0 + .seconds(100)) == .none, "a slow response is not timed out here")
        let answered = t0 + .seconds(100)
        #expect(m.responseEnded(now: answered) == .schedule(answered + .seconds(60)))
        #expect(m.timerFired(now: answered + .seconds(59)) == .schedule(answered + .seconds(60)))
        #expect(m.timerFired(now: answered + .seconds(60)) == .close)
    }

    @Test func theNextRequestsFirstByteStartsTheRequestTimeout() {
        var m = machine()
        _ = m.opened(now: t0)
        _ = m.requestHeadReceived()
        _ = m.responseEnded(now: t0 + .seconds(1))
        let next = t0 + .seconds(30)
        #expect(m.bytesReceived(now: next) == .schedule(next + .seconds(10)))
        #expect(m.timerFired(now: next + .seconds(10)) == .requestTimedOut)
    }

    @Test func pipelinedRequestsStayInFlightUntilTheLastResponse() {
        var m = machine()
        _ = m.opened(now: t0)
        _ = m.requestHeadReceived()
        #expect(m.requestHeadReceived() == .none)
        #expect(m.responseEnded(now: t0) == .none)
        #expect(m.phase == .inFlight(1))
        #expect(m.responseEnded(now: t0) == .schedule(t0 + .seconds(60)))
        #expect(m.closed() == .cancelTimer)
        #expect(m.timerFired(now: t0 + .seconds(600)) == .none)
    }
}

/// The limits' ranges and the descriptor budget.
@Suite struct ServerLimitsSettingsTests {
    @Test func defaultsAreSPECs() {
        let limits = ServerLimits()
        #expect(limits.idleTimeout == .seconds(60) && limits.requestTimeout == .seconds(10) && limits.maxConnections == 256)
    }

    @Test(arguments: [(0, 10, 256, "--api-idle-timeout 0"), (60, 601, 256, "--api-request-timeout 601"), (60, 10, 0, "--api-max-connections 0"),
                      (3_601, 10, 256, "--api-idle-timeout 3601"), (60, 10, 70_000, "--api-max-connections 70000")])
    func outOfRangeValuesNameTheKeyAndTheRange(idle: Int, request: Int, max: Int, prefix: String) {
        do {
            _ = try ServerLimits(idleSeconds: idle, requestSeconds: request, maxConnections: max, key: \.flag)
            Issue.record("accepted \(prefix)")
        } catch {
            #expect(error.description.hasPrefix(prefix + ": expected "), "\(error)")
            #expect(error.description.contains(" in 1…"), "\(error)")
        }
    }

    @Test func theCapLeavesTheReserveToTheSources() {
        #expect(DescriptorBudget(openFileLimit: 1_048_576).connectionCap(requested: 256) == (256, false))
        #expect(DescriptorBudget(openFileLimit: 300).connectionCap(requested: 256) == (172, true))
        #expect(DescriptorBudget(openFileLimit: 384).connectionCap(requested: 256) == (256, false))
        #expect(DescriptorBudget(openFileLimit: 64).connectionCap(requested: 256) == (1, true))
    }
}
