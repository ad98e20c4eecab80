import Logging
import NIOCore

/// First in an API connection's pipeline, so it sees every byte before the HTTP decoder
/// buffers it: drives `ConnectionTimeouts` from arriving bytes, the HTTP layer's
/// `ExchangeEvent`s and one timer, and closes the connection when it says so.
final class ConnectionTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var state: ConnectionTimeouts
    private var timer: Scheduled<Void>?
    private let gate: ConnectionGate
    private let logger: Logger

    init(limits: ServerLimits, gate: ConnectionGate, logger: Logger) {
        state = ConnectionTimeouts(idleTimeout: TimeAmount(limits.idleTimeout), requestTimeout: TimeAmount(limits.requestTimeout))
        self.gate = gate
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { perform(state.opened(now: .now()), context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        perform(state.opened(now: .now()), context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        perform(state.closed(), context: context)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        perform(state.bytesReceived(now: .now()), context: context)
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let event = event as? ExchangeEvent else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        switch event {
        case .requestHeadReceived: perform(state.requestHeadReceived(), context: context)
        case .responseEnded: perform(state.responseEnded(now: .now()), context: context)
        }
        promise?.succeed()
    }

    private func perform(_ action: ConnectionTimeouts.Action, context: ChannelHandlerContext) {
        switch action {
        case .none:
            break
        case .schedule(let deadline):
            timer?.cancel()
            let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
            timer = context.eventLoop.scheduleTask(deadline: deadline) {
                let (handler, context) = loopBound.value
                handler.timer = nil
                handler.perform(handler.state.timerFired(now: .now()), context: context)
            }
        case .cancelTimer:
            timer?.cancel()
            timer = nil
        case .close:
            gate.recordTimeout()
            logger.debug("query API connection closed after a timeout", metadata: ["peer": "\(context.remoteAddress.map { "\($0)" } ?? "?")"])
            context.close(promise: nil)
        case .requestTimedOut:
            gate.recordTimeout()
            logger.debug("query API request head timed out", metadata: ["peer": "\(context.remoteAddress.map { "\($0)" } ?? "?")"])
            let seconds = state.requestTimeout.nanoseconds / 1_000_000_000
            context.writeAndFlush(wrapOutboundOut(RawErrorResponse.requestTimeout(seconds: seconds, allocator: context.channel.allocator)))
                .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }
}
