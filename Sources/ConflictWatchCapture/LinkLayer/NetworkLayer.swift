/// The network layer a frame carries, and where it starts.
public enum NetworkLayer: Equatable, Sendable {
    case ipv4
    case ipv6
}
