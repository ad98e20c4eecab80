/// A libpcap failure, carrying libpcap's own message and, where one exists, what to do about it.
public struct PcapError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case permissionDenied
        case noSuchDevice
        case interfaceDown
        case badFilter
        case cannotOpen
        case readFailed
        case privilegeDrop
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// The message for a capture refused for lack of privileges: the three ways out.
    static func permissionDenied(interface: String, detail: String) -> PcapError {
        PcapError(.permissionDenied, """
            cannot capture on \(interface): permission denied (\(detail)).
            Live capture needs the CAP_NET_RAW capability. Either run it as root (sudo conflictwatch capture -i \(interface) …),
            or grant the capability to the binary once: sudo setcap cap_net_raw,cap_net_admin+ep "$(command -v conflictwatch)",
            or analyse a capture file instead: conflictwatch capture -r FILE.pcap
            """)
    }
}
