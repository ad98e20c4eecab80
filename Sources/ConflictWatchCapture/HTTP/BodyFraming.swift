/// How a message's body is delimited.
public enum BodyFraming: Equatable, Sendable {
    case none
    case length(Int64)
    case chunked
    case untilClose
    /// Not HTTP any more (101 Switching Protocols, CONNECT): ignore the rest of the stream.
    case tunnel
}
