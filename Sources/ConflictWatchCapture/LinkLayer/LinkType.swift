/// The link layers a capture can carry HTTP on, from libpcap's DLT_ value.
public enum LinkType: Equatable, Sendable {
    case ethernet
    /// BSD loopback: a 4-byte address family in the byte order of the machine that wrote it.
    case null
    /// OpenBSD loopback: the same family in network byte order.
    case loop
    /// No link header; the IP version is in the first nibble.
    case raw
    case ipv4
    case ipv6
    case linuxSLL
    case linuxSLL2
    case nflog
    case unsupported(Int32)

    public init(dlt: Int32) {
        switch dlt {
        case 0: self = .null
        case 1: self = .ethernet
        case 12, 14, 101: self = .raw  // DLT_RAW differs by OS; 101 is LINKTYPE_RAW
        case 108: self = .loop
        case 113: self = .linuxSLL
        case 228: self = .ipv4
        case 229: self = .ipv6
        case 239: self = .nflog
        case 276: self = .linuxSLL2
        default: self = .unsupported(dlt)
        }
    }

    public var name: String {
        switch self {
        case .ethernet: "ethernet"
        case .null: "null"
        case .loop: "loop"
        case .raw: "raw"
        case .ipv4: "ipv4"
        case .ipv6: "ipv6"
        case .linuxSLL: "linux-sll"
        case .linuxSLL2: "linux-sll2"
        case .nflog: "nflog"
        case .unsupported(let d): "unsupported (DLT \(d))"
        }
    }

    public var isSupported: Bool {
        if case .unsupported = self { return false }
        return true
    }
}
