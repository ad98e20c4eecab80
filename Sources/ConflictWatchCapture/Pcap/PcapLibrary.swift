import CPcap

/// Facts about the libpcap the binary was linked against (shown by `conflictwatch --version`).
package enum PcapLibrary {
    package static var version: String { String(cString: pcap_lib_version()) }
}
