#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `--user NAME`: once the capture handle is open, root is no longer needed; becoming an
/// unprivileged user limits what a parser bug fed with hostile packets could do.
package enum PrivilegeDrop {
    package static func become(user name: String) throws(PcapError) {
        guard let pw = getpwnam(name) else {
            throw PcapError(.privilegeDrop, "--user \(name): no such user on this system")
        }
        let uid = pw.pointee.pw_uid
        let gid = pw.pointee.pw_gid
        if getuid() == uid && geteuid() == uid { return }
        guard geteuid() == 0 else {
            throw PcapError(.privilegeDrop, "--user \(name): only root can switch users; run as root or leave out --user")
        }
        // Supplementary groups first, then the group, then the user: after setuid nothing else may change.
        guard initgroups(name, gid) == 0 else {
            throw PcapError(.privilegeDrop, "--user \(name): initgroups failed: \(String(cString: strerror(errno)))")
        }
        guard setgid(gid) == 0 else {
            throw PcapError(.privilegeDrop, "--user \(name): setgid(\(gid)) failed: \(String(cString: strerror(errno)))")
        }
        guard setuid(uid) == 0 else {
            throw PcapError(.privilegeDrop, "--user \(name): setuid(\(uid)) failed: \(String(cString: strerror(errno)))")
        }
        // Getting root back must fail, or the drop did not happen.
        if uid != 0, setuid(0) == 0 {
            throw PcapError(.privilegeDrop, "--user \(name): privileges could be regained after dropping them; refusing to go on")
        }
    }
}
