import CPcap

/// Facts about the libpcap the binary was linked against (shown by `conflictwatch --version`).
public enum PcapLibrary {
    public static var version: String { String(cString: pcap_lib_version()) }
}
