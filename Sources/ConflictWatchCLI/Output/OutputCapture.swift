import Synchronization

/// Where the commands' stdout and stderr bytes go when not to fd 1 and 2: the in-process tests
/// run a command with `OutputCapture.$current.withValue(capture) { … }` and read what it printed.
/// A task-local rather than a global, so tests running in parallel do not see each other's output.
final class OutputCapture: Sendable {
    @TaskLocal static var current: OutputCapture?

    private let streams = Mutex<(out: [UInt8], err: [UInt8])>(([], []))

    init() {}

    /// `fd` 2 is stderr; anything else counts as stdout.
    func append(fd: Int32, _ bytes: UnsafeRawBufferPointer) {
        streams.withLock { s in
            if fd == 2 { s.err.append(contentsOf: bytes) } else { s.out.append(contentsOf: bytes) }
        }
    }

    var standardOutput: String { streams.withLock { String(decoding: $0.out, as: UTF8.self) } }
    var standardError: String { streams.withLock { String(decoding: $0.err, as: UTF8.self) } }
}
