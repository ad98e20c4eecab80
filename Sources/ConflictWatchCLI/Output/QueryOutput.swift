import ConflictWatchCore
import ConflictWatchServer
import Foundation

/// Output of the query commands. The JSON is `QueryJSON`'s, the encoder the query API uses, so
/// `--format json` prints the same bytes whether it read the store or a daemon.
enum QueryOutput {
    static func json<T: Encodable>(_ value: T) throws -> String {
        try QueryJSON.encode(value)
    }

    static func write(_ text: String) {
        var out = OutputSink(fd: 1)
        out.write(text)
        out.flush()
    }
}
