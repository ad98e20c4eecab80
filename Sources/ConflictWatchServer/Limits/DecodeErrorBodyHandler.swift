import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Gives the SPEC §9 error body to the 400s of requests that never reached the router. For a
/// request the HTTP decoder rejects (an oversized head, bad syntax) Hummingbird answers a 400
/// with an empty body and closes: this fills in the body and says what was wrong. Other
/// decoding errors get no answer from Hummingbird at all, so this writes the 400 itself when no
/// response is under way.
final class DecodeErrorBodyHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var inFlight = 0
    /// The message for Hummingbird's coming 400, once the decoder has failed.
    private var pendingMessage: String?
    private let maxHeadBytes: Int

    init(maxHeadBytes: Int) {
        self.maxHeadBytes = maxHeadBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { inFlight += 1 }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parserError = error as? HTTPParserError {
            pendingMessage = Self.message(parserError, maxHeadBytes: maxHeadBytes)
        } else if inFlight == 0 {
            let (head, body) = Self.errorResponse("malformed HTTP request: \(error)", allocator: context.channel.allocator)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(body)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let part = unwrapOutboundIn(data)
        switch part {
        case .head(let head) where head.status.kind == .clientError && head.headerFields[.contentLength] == "0":
            guard let message = pendingMessage else { break }
            pendingMessage = nil
            let (jsonHead, body) = Self.errorResponse(message, allocator: context.channel.allocator)
            var errorHead = jsonHead
            errorHead.status = head.status
            context.write(wrapOutboundOut(.head(errorHead)), promise: nil)
            context.write(wrapOutboundOut(.body(body)), promise: promise)
            return
        case .end:
            inFlight = max(0, inFlight - 1)
        default:
            break
        }
        context.write(data, promise: promise)
    }

    static func message(_ error: HTTPParserError, maxHeadBytes: Int) -> String {
        switch error {
        case .headerOverflow:
            "the request line and headers are longer than \(maxHeadBytes / 1024) KiB, more than this API ever needs"
        case .invalidURL, .invalidPath, .invalidQueryString, .invalidFragment, .invalidHost, .invalidPort:
            "malformed HTTP request: the request target is not a valid URL (\(error))"
        default:
            "malformed HTTP request (\(error)); this API takes HTTP/1.1 GET requests"
        }
    }

    static func errorResponse(_ message: String, allocator: ByteBufferAllocator) -> (HTTPResponse, ByteBuffer) {
        let text = (try? QueryJSON.encode(APIError.ErrorBody(error: .init(message: message)))) ?? "{\"error\": {\"message\": \"bad request\"}}\n"
        let head = HTTPResponse(status: .badRequest, headerFields: [
            .contentType: "application/json; charset=utf-8", .contentLength: "\(text.utf8.count)",
            .cacheControl: "no-store", .connection: "close",
        ])
        return (head, allocator.buffer(string: text))
    }
}
