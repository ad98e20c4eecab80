/// The harnesses, by the name `make fuzz` and the seed directories (`Fuzz/Seeds/<name>`) use.
enum FuzzTarget: String, CaseIterable {
    case combined
    case json
    case nginxFormat = "nginx-format"
    case auto
    case route
    case frame
    case packets
    case reassembly
    case pcapFile = "pcap-file"
    case http
    case config
    case model
    case fleetSummary = "fleet-summary"

    static let environmentKey = "CONFLICTWATCH_FUZZ_TARGET"

    /// Set once by `main` before libFuzzer starts; libFuzzer runs inputs on that one thread.
    nonisolated(unsafe) static var selected: FuzzTarget?

    var summary: String {
        switch self {
        case .combined: "combined and common log lines (one per input line)"
        case .json: "JSON log lines, also behind a container prefix"
        case .nginxFormat: "an nginx log_format (first line) compiled, then the other lines parsed with it"
        case .auto: "per-line format detection (JSON, combined, Envoy, container prefixes)"
        case .route: "route templates (first line), then paths normalized and renormalized"
        case .frame: "one frame decoded down to TCP, for a link type chosen by the first byte"
        case .packets: "a packet sequence through link layer, TCP reassembly and HTTP decoding"
        case .reassembly: "TCP segments in any order through the stream reassembler"
        case .pcapFile: "a classic pcap file read by conflictwatch's reader and by libpcap, which must agree"
        case .http: "an HTTP/1.x byte stream cut into odd chunks, with gaps, in either direction"
        case .config: "the daemon's YAML config file"
        case .model: "the model file (JSON)"
        case .fleetSummary: "a fleet summary's bytes read, or exchanges written into summaries and read back"
        }
    }

    func run(_ data: UnsafeRawBufferPointer) {
        switch self {
        case .combined: LogLineHarness.run(data, formats: [.combined, .common])
        case .json: LogLineHarness.run(data, formats: [.json])
        case .auto: LogLineHarness.run(data, formats: [.auto])
        case .nginxFormat: NginxFormatHarness.run(data)
        case .route: RouteHarness.run(data)
        case .frame: FrameHarness.run(data)
        case .packets: PacketStreamHarness.run(data)
        case .reassembly: ReassemblyHarness.run(data)
        case .pcapFile: PcapFileHarness.run(data)
        case .http: HTTPStreamHarness.run(data)
        case .config: ConfigHarness.run(data)
        case .model: ModelHarness.run(data)
        case .fleetSummary: FleetSummaryHarness.run(data)
        }
    }
}
