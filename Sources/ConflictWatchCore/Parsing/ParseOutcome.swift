public enum ParseOutcome: Equatable {
    case exchange
    case malformed(MalformedReason)
}
