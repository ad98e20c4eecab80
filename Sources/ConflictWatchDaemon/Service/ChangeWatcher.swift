import Dispatch
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Waits until a followed directory changes, or a timeout passes. Uses inotify where the kernel
/// offers it (a write wakes the pipeline at once) and plain polling otherwise; every wake-up
/// is followed by a full scan either way, so a missed event costs at most one timeout.
final class ChangeWatcher: @unchecked Sendable {
    enum Mechanism: String { case inotify, polling }

    let mechanism: Mechanism
    private let fd: Int32
    /// The blocking wait runs here, never on the cooperative pool.
    private let queue = DispatchQueue(label: "conflictwatch.change-watcher")

    init(directories: [String], logger: Logger) {
        #if os(Linux)
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        var watched = 0
        if fd >= 0 {
            let mask = UInt32(IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_CLOSE_WRITE)
            for dir in Set(directories) where inotify_add_watch(fd, dir, mask) >= 0 { watched += 1 }
        }
        if fd >= 0, watched > 0 {
            self.fd = fd
            mechanism = .inotify
        } else {
            if fd >= 0 { close(fd) }
            self.fd = -1
            mechanism = .polling
        }
        #else
        fd = -1
        mechanism = .polling
        #endif
        logger.info("watching for changes", metadata: ["mechanism": "\(mechanism.rawValue)", "directories": "\(Set(directories).sorted())"])
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Returns after a change or `timeoutMillis`.
    func wait(timeoutMillis: Int32) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            queue.async {
                self.waitBlocking(timeoutMillis: timeoutMillis)
                c.resume()
            }
        }
    }

    /// The same, blocking the calling thread (the reading thread's idle wait; never a task's).
    func waitBlocking(timeoutMillis: Int32) {
        if fd >= 0 {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, timeoutMillis) > 0 {
                var drain = [UInt8](repeating: 0, count: 4096)
                while read(fd, &drain, drain.count) > 0 {}
            }
        } else {
            usleep(UInt32(timeoutMillis) * 1000)
        }
    }
}
