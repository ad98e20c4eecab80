import ConflictWatchCore

/// Each input line through a fixed-format `LogParser`, one parser for the whole input as in a
/// source (it caches time stamps and reuses its scratch memory across lines).
enum LogLineHarness {
    /// Longer lines never reach a parser: the line readers count them as malformed (SPEC §8),
    /// and the JSON parser's scratch arena is sized by this bound.
    static let maxLineLength = 4096

    static func run(_ data: UnsafeRawBufferPointer, formats: [LogFormat]) {
        for format in formats {
            var parser = LogParser(format: format, maxLineLength: maxLineLength)
            var view = ExchangeView()
            forEachLine(data) { line in
                guard line.count <= maxLineLength else { return }
                withExactCopy(line) { copy in
                    view.reset()
                    if parser.parse(copy, into: &view) == .exchange { ViewReader.read(view) }
                }
            }
        }
    }
}
