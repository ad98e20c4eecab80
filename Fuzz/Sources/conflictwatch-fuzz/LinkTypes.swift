import ConflictWatchCapture

/// The link types a capture can carry HTTP on, picked by an input byte: `all[byte % count]`.
/// The seed script (Fuzz/seeds.py) writes the same index for a pcap's DLT.
enum LinkTypes {
    static let all: [LinkType] = [.ethernet, .null, .loop, .raw, .ipv4, .ipv6, .linuxSLL, .linuxSLL2, .nflog]

    static func pick(_ byte: UInt8) -> LinkType { all[Int(byte) % all.count] }
}
