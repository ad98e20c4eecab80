import ConflictWatchIngest
import ConflictWatchStore

/// A tailer's position as the store keeps it, and back.
extension SourceCheckpoint {
    init(_ p: TailPosition, updated: String) {
        self.init(source: p.source, device: p.identity.device, inode: p.identity.inode, path: p.path,
                  offset: p.offset, line: p.line, current: p.current, updated: updated)
    }

    var position: TailPosition {
        TailPosition(source: source, identity: FileIdentity(device: device, inode: inode), path: path,
                     offset: offset, line: line, current: current)
    }
}
