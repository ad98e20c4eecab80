import ConflictWatchCore

/// What all connections of one reconstruction share: the configuration, the counters, and
/// the global budget for buffered out-of-order bytes.
struct CaptureContext {
    let configuration: CaptureConfiguration
    let clientHeaderName: [UInt8]
    var counters = CaptureReport()
    var bufferedBytes = 0

    init(configuration: CaptureConfiguration) {
        self.configuration = configuration
        clientHeaderName = Array((configuration.clientHeader ?? "").lowercased().utf8)
    }
}

/// Where reconstructed exchanges go: the view (valid during the call) and the flow's number.
typealias ExchangeSink = (inout ExchangeView, Int) -> Void
