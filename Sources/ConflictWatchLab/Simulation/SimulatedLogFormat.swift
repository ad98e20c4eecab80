import ConflictWatchCore

/// The access-log formats `simulate` writes: what nginx writes with its stock `combined`
/// format, the bare `common` format, and a JSON-lines format as nginx's `escape=json` writes it.
public enum SimulatedLogFormat: String, CaseIterable, Sendable {
    case combined, common, json

    /// The parser that reads it back.
    public var logFormat: LogFormat {
        switch self {
        case .combined: .combined
        case .common: .common
        case .json: .json
        }
    }
}
