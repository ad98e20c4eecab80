import NIOCore

/// The whole pipeline of a connection over the cap: a 503 with the error body, then close.
final class RefuseConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let limit: Int
    private var refused = false

    init(limit: Int) {
        self.limit = limit
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { refuse(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        refuse(context)
    }

    /// Whatever the client sent is not read: the connection is going away.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    private func refuse(_ context: ChannelHandlerContext) {
        guard context.channel.isActive, !refused else { return }
        refused = true
        context.writeAndFlush(wrapOutboundOut(RawErrorResponse.tooManyConnections(limit: limit, allocator: context.channel.allocator)))
            .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
