/// Why a line did not become an exchange. Kept small and fixed so counting it costs nothing;
/// the line itself is sampled by the caller.
public enum MalformedReason: UInt8, Sendable, CaseIterable, Codable {
    case notAccessLog
    case badTime
    case badStatus
    case badBytes
    case unterminatedQuote
    case invalidJSON
    case missingMethod
    case missingStatus
    case missingTime
    case formatMismatch
    case lineTooLong
    case truncatedInput

    public var message: String {
        switch self {
        case .notAccessLog: "not an access-log line in the expected format"
        case .badTime: "time stamp missing or not understood"
        case .badStatus: "status is not a 3-digit number"
        case .badBytes: "bytes field is neither a number nor '-'"
        case .unterminatedQuote: "quoted field without its closing quote"
        case .invalidJSON: "invalid JSON"
        case .missingMethod: "JSON record has no request method (not an access record)"
        case .missingStatus: "JSON record has no status (not an access record)"
        case .missingTime: "JSON record has no time field"
        case .formatMismatch: "line does not match the configured log_format"
        case .lineTooLong: "line longer than the limit"
        case .truncatedInput: "input ended inside a compressed stream"
        }
    }
}
