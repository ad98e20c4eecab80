/// Why a config file gives no daemon settings; both are usage errors (exit 2, SPEC §10). The
/// CLI prints them differently: a bad `listen:` with the command's usage, like a bad `--listen`.
public enum ConfigLoadError: Error, CustomStringConvertible {
    /// The file does not hold: a key, a path, the model or the OpenAPI document.
    case invalid(String)
    /// `listen:` (with its token) is refused (SPEC §9).
    case listen(String)

    public var description: String {
        switch self {
        case .invalid(let message), .listen(let message): return message
        }
    }
}
