/// The bounds on one log line, shared by every reader, parser and option that handles lines, so
/// the CLI, the config file and the daemon cannot disagree about what "too long" means.
public enum LineLimits {
    /// Lines longer than this many bytes are counted as malformed unless configured otherwise.
    public static let defaultMaxLineLength = 65_536
    /// What `--max-line-length` and `max_line_length` accept: below 256 no real log line fits;
    /// above 16 MiB one hostile line would cost that much memory per reader.
    public static let maxLineLengthRange = 256...(16 << 20)
    /// Bytes of a malformed or overlong line kept as its sample (reports, tests, logs).
    public static let sampleLength = 200
}
