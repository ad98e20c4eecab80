/// What this build is, for `--version` and the `conflictwatch_build_info` series (SPEC §9). Kept
/// in the core so the executable and the server read the same string.
package enum BuildInfo {
    package static let version = "0.1.0"

    /// The compiler that built this binary (major.minor): there is no compile-time constant for
    /// it, so the `compiler(>=)` checks name the newest releases and fall back to the floor the
    /// package requires (tools 6.0).
    package static let swiftVersion: String = {
        #if compiler(>=6.4)
        return "6.4+"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }()
}
