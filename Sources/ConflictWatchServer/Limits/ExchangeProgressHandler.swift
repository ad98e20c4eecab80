import NIOCore
import NIOHTTPTypes

/// Tells `ConnectionTimeoutHandler` when a request head is complete and when its response has
/// ended: only the HTTP layer knows, and the timeouts depend on both.
final class ExchangeProgressHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            context.triggerUserOutboundEvent(ExchangeEvent.requestHeadReceived, promise: nil)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let ended = if case .end = unwrapOutboundIn(data) { true } else { false }
        context.write(data, promise: promise)
        if ended { context.triggerUserOutboundEvent(ExchangeEvent.responseEnded, promise: nil) }
    }
}
