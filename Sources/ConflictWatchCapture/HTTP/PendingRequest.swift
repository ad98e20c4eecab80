/// A request waiting for its response: when it started and its fields, copied into the
/// queue's arena (the packet they came in is gone by the time the response arrives).
package struct PendingRequest {
    package struct Span: Sendable {
        var start: Int32
        /// -1: absent.
        var count: Int32
        static let absent = Span(start: 0, count: -1)
    }

    package var time: Int64
    var method: Span
    var target: Span
    var host: Span
    var userAgent: Span
    var requestID: Span
    var client: Span
    package var isHEAD: Bool
    package var isCONNECT: Bool
    package var isHTTP09: Bool
    package var validStartLine: Bool
}
