import ConflictWatchCore
import Foundation

/// JSON for the query commands: the SPEC §6 shapes, keys sorted, one document per command.
enum QueryOutput {
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    static func write(_ text: String) {
        var out = OutputSink(fd: 1)
        out.write(text)
        out.flush()
    }
}
