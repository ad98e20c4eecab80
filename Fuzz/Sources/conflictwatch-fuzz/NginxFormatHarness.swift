import ConflictWatchCore

/// The first line is an nginx `log_format`; when it compiles, the other lines are parsed with it.
enum NginxFormatHarness {
    static func run(_ data: UnsafeRawBufferPointer) {
        let (first, rest) = splitFirstLine(data)
        let source = String(decoding: first, as: UTF8.self)
        guard let format = try? NginxLogFormat(source) else { return }
        // The `--log-format` flag's path to the same compiler, as a user would reach it.
        _ = try? LogFormat(argument: source)
        LogLineHarness.run(rest, formats: [.nginx(format)])
    }
}
