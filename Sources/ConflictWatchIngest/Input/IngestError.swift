/// Errors that end one source; the other sources go on.
public enum IngestError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(path: String, reason: String)
    case readFailed(path: String, reason: String)
    case truncatedGzip(path: String)
    case corruptGzip(path: String, reason: String)
    case unsupportedInput(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let p, let r): "cannot open \(p): \(r)"
        case .readFailed(let p, let r): "reading \(p) failed: \(r)"
        case .truncatedGzip(let p): "\(p): gzip stream ends early (truncated file?); lines before the cut were used"
        case .corruptGzip(let p, let r): "\(p): corrupt gzip data (\(r)); lines before it were used"
        case .unsupportedInput(let p, let r): "\(p): \(r)"
        }
    }
}
