import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// Hummingbird's HTTP/1.1 child channel with the limits of `ServerLimits` around it. A
/// connection over the cap is answered 503 and closed as soon as it is active, without an
/// HTTP pipeline, so it holds a descriptor only for that moment; Hummingbird's own
/// `availableConnectionsDelegate` would instead stop accepting, leaving probes queued in the
/// kernel behind the idle sockets that caused it.
struct LimitedHTTP1Channel: ServerChildChannel {
    enum Value: ServerChildChannelValue {
        case admitted(HTTP1Channel.Value)
        case refused(any Channel)

        var channel: any Channel {
            switch self {
            case .admitted(let value): value.channel
            case .refused(let channel): channel
            }
        }
    }

    let http1: HTTP1Channel
    let limits: ServerLimits
    let gate: ConnectionGate
    let logger: Logger

    init(responder: @escaping HTTPChannelHandler.Responder, limits: ServerLimits, gate: ConnectionGate, logger: Logger) {
        let decoder = HTTP1Channel.Configuration.DecoderConfiguration()
        let maxHeadBytes = decoder.maxHeaderListSize
        // No idle timeout from Hummingbird: `ConnectionTimeoutHandler` owns both timeouts.
        http1 = HTTP1Channel(responder: responder, configuration: .init(
            additionalChannelHandlers: [ExchangeProgressHandler(), DecodeErrorBodyHandler(maxHeadBytes: maxHeadBytes)],
            idleTimeout: nil, httpDecoderConfiguration: decoder))
        self.limits = limits
        self.gate = gate
        self.logger = logger
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard gate.admit() else {
            let refusal = RefuseConnectionHandler(limit: gate.limit)
            return channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(refusal)
                return .refused(channel)
            }
        }
        let gate = self.gate
        channel.closeFuture.whenComplete { _ in gate.release() }
        let timeouts = ConnectionTimeoutHandler(limits: limits, gate: gate, logger: self.logger)
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(timeouts, position: .first)
        }.flatMap {
            http1.setup(channel: channel, logger: logger)
        }.map { .admitted($0) }
    }

    func handle(value: Value, logger: Logger) async {
        guard case .admitted(let channel) = value else { return }
        await http1.handle(value: channel, logger: logger)
    }
}
