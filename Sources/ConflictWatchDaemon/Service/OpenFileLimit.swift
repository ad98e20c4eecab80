import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's RLIMIT_NOFILE. The daemon raises its soft limit to the hard one at start: the
/// soft default (often 1024) is a compatibility setting for select(2), which nothing here uses,
/// and every followed file, store file and API connection needs a descriptor.
enum OpenFileLimit {
    struct Raised: Sendable, Equatable {
        var before: Int
        var soft: Int
        var hard: Int
    }

    /// Raises the soft limit as far as the hard limit allows and returns the limits after. An
    /// unlimited hard limit (RLIM_INFINITY, all ones) is capped at what the kernel accepts
    /// (`nr_open` on Linux).
    static func raiseSoftLimit() -> Raised? {
        var limit = rlimit()
        guard getrlimit(resourceNoFile, &limit) == 0 else { return nil }
        let before = Int(clamping: limit.rlim_cur)
        var target = limit.rlim_max
        #if os(Linux)
        if target == rlim_t.max, let nrOpen = kernelMaximum() { target = rlim_t(nrOpen) }
        #elseif canImport(Darwin)
        target = min(target, rlim_t(OPEN_MAX))
        #endif
        if target > limit.rlim_cur {
            var raised = limit
            raised.rlim_cur = target
            if setrlimit(resourceNoFile, &raised) == 0 { limit = raised }
        }
        return Raised(before: before, soft: Int(clamping: limit.rlim_cur), hard: Int(clamping: limit.rlim_max))
    }

    #if os(Linux)
    private static let resourceNoFile = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)

    private static func kernelMaximum() -> Int? {
        (try? String(contentsOfFile: "/proc/sys/fs/nr_open", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
    #else
    private static let resourceNoFile = RLIMIT_NOFILE
    #endif
}

extension OpenFileLimit {
    /// The soft limit now.
    static func current() -> Int? {
        var limit = rlimit()
        guard getrlimit(resourceNoFile, &limit) == 0 else { return nil }
        return Int(clamping: limit.rlim_cur)
    }
}
