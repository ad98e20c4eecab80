import NIOCore

/// A complete HTTP/1.1 error response as bytes, for connections the HTTP layer will never
/// answer: one refused at the cap, one whose request head never completed. Always closes the
/// connection. The body is the SPEC §9 error shape.
enum RawErrorResponse {
    static func bytes(status: Int, reason: String, message: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        let body = (try? QueryJSON.encode(APIError.ErrorBody(error: .init(message: message))))
            ?? "{\"error\": {\"message\": \"\(reason)\"}}\n"
        var buffer = allocator.buffer(capacity: 160 + body.utf8.count)
        buffer.writeString("HTTP/1.1 \(status) \(reason)\r\n")
        buffer.writeString("Content-Type: application/json; charset=utf-8\r\n")
        buffer.writeString("Content-Length: \(body.utf8.count)\r\n")
        buffer.writeString("Cache-Control: no-store\r\n")
        buffer.writeString("Connection: close\r\n\r\n")
        buffer.writeString(body)
        return buffer
    }

    static func requestTimeout(seconds: Int64, allocator: ByteBufferAllocator) -> ByteBuffer {
        bytes(status: 408, reason: "Request Timeout",
              message: "the request head did not arrive within \(seconds) s; the connection is closed", allocator: allocator)
    }

    static func tooManyConnections(limit: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        bytes(status: 503, reason: "Service Unavailable",
              message: "the server has \(limit) connections open, its limit; retry later or close idle connections", allocator: allocator)
    }
}
