import Foundation
import Logging
import Testing
@testable import ConflictWatchIngest

#if canImport(Glibc)
import Glibc
#endif

/// The tailer against real files: rename rotation with a writer still writing the old file,
/// copytruncate, partial and overlong lines, deleted files, globs, checkpoints and restore.
@Suite final class LogTailerTests {
    let dir: String
    let logger = Logger(label: "test")

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-tail-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    // A suite instance per test: its directory goes with it.
    deinit { try? FileManager.default.removeItem(atPath: dir) }

    /// An appending writer that keeps its descriptor, as nginx does.
    final class Writer {
        var fd: Int32
        let path: String
        init(_ path: String) {
            self.path = path
            fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        }
        func write(_ s: String) { _ = s.withCString { Glibc.write(fd, $0, strlen($0)) } }
        func reopen() {
            close(fd)
            fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        }
        deinit { close(fd) }
    }

    final class Collector {
        var lines: [String] = []
        var tooLong = 0
    }

    func tailer(_ patterns: [String], fromStart: Bool = true, maxLineLength: Int = 65_536, drainQuiet: Double = 0.3) -> LogTailer {
        var s = LogTailer.Settings(patterns: patterns)
        s.fromStart = fromStart
        s.maxLineLength = maxLineLength
        s.drainQuiet = drainQuiet
        return LogTailer(settings: s, logger: logger)
    }

    func poll(_ t: LogTailer, _ c: Collector, now: Double) {
        t.poll(now: now) { _, line, event, _ in
            switch event {
            case .line: c.lines.append(String(decoding: line, as: UTF8.self))
            case .tooLong: c.tooLong += 1
            }
        }
    }

    @Test func partialLineWaitsForItsNewline() {
        let path = dir + "/a.log"
        let w = Writer(path)
        let t = tailer([path])
        let c = Collector()
        w.write("one\ntw")
        poll(t, c, now: 0)
        #expect(c.lines == ["one"])
        #expect(t.positions()[path]?.first?.offset == 4, "the checkpoint stops before the partial line")
        w.write("o\r\nthree\n")
        poll(t, c, now: 0.1)
        #expect(c.lines == ["one", "two", "three"])
    }

    @Test func overlongLineIsMalformedAndTheNextOneIsRead() {
        let path = dir + "/a.log"
        let w = Writer(path)
        let t = tailer([path], maxLineLength: 300)
        let c = Collector()
        w.write(String(repeating: "x", count: 250))
        poll(t, c, now: 0)
        w.write(String(repeating: "y", count: 5000))
        poll(t, c, now: 0.1)
        w.write("\nok\n")
        poll(t, c, now: 0.2)
        #expect(c.tooLong == 1)
        #expect(c.lines == ["ok"])
        #expect(t.positions()[path]?.first?.offset == Int64(250 + 5000 + 1 + 3))
    }

    @Test func newFileStartsAtItsEndUnlessFromStart() {
        let path = dir + "/a.log"
        let w = Writer(path)
        w.write("old\n")
        let t = tailer([path], fromStart: false)
        let c = Collector()
        poll(t, c, now: 0)
        w.write("new\n")
        poll(t, c, now: 0.1)
        #expect(c.lines == ["new"])
    }

    @Test func renameRotationReadsTheOldFileToItsEndFirst() {
        let path = dir + "/a.log"
        let w = Writer(path)
        let t = tailer([path])
        let c = Collector()
        w.write("1\n2\n")
        poll(t, c, now: 0)
        // Rotate by rename; the writer keeps the old file open for 0.2 s and writes on into it.
        rename(path, path + ".1")
        w.write("3\n")
        let fresh = Writer(path)
        fresh.write("new-1\n")
        poll(t, c, now: 0.1)
        usleep(200_000)
        w.write("4\n")
        poll(t, c, now: 0.3)
        w.reopen()
        w.write("new-2\n")
        poll(t, c, now: 0.35)
        #expect(Set(c.lines) == ["1", "2", "3", "4", "new-1", "new-2"])
        #expect(c.lines.filter { $0.hasPrefix("new") } == ["new-1", "new-2"])
        #expect(c.lines.filter { !$0.hasPrefix("new") } == ["1", "2", "3", "4"])
        #expect(t.draining.count == 1)
        poll(t, c, now: 1.0)
        #expect(t.draining.isEmpty, "a quiet rotated file is closed")
        #expect(c.lines.count == 6)
    }

    @Test func copytruncateRestartsAtZero() {
        let path = dir + "/a.log"
        let w = Writer(path)
        let t = tailer([path])
        let c = Collector()
        w.write("a\nb\nc\n")
        poll(t, c, now: 0)
        ftruncate(w.fd, 0)
        w.write("d\n")
        poll(t, c, now: 0.1)
        #expect(c.lines == ["a", "b", "c", "d"])
        #expect(t.positions()[path]?.first?.offset == 2)
    }

    @Test func deletedFileIsDroppedAndGlobFindsNewOnes() {
        let a = dir + "/a.log"
        let wa = Writer(a)
        wa.write("a1\n")
        let t = tailer([dir + "/*.log"])
        let c = Collector()
        poll(t, c, now: 0)
        #expect(c.lines == ["a1"])
        unlink(a)
        let wb = Writer(dir + "/b.log")
        wb.write("b1\n")
        poll(t, c, now: 0.1)
        poll(t, c, now: 1.0)
        #expect(c.lines == ["a1", "b1"])
        #expect(t.current.keys.sorted() == [dir + "/b.log"])
        #expect(t.draining.isEmpty)
    }

    /// Checkpoint, rotate while "down", restore: the rotated file is found among its siblings
    /// by identity and read from its offset, then the new file from 0.
    @Test func restoreFindsAFileRotatedWhileDown() {
        let path = dir + "/a.log"
        let w = Writer(path)
        w.write("1\n2\n")
        let first = tailer([path])
        let c = Collector()
        poll(first, c, now: 0)
        let saved = first.positions().values.flatMap { $0 }
        #expect(c.lines == ["1", "2"])

        w.write("3\n")
        rename(path, path + "-20261124")
        let fresh = Writer(path)
        fresh.write("new\n")

        let second = tailer([path], fromStart: false)
        second.restore(saved, now: 10)
        let c2 = Collector()
        poll(second, c2, now: 10)
        #expect(c2.lines == ["3", "new"])
    }

    /// The tailer and the offline reader share one framer: bytes written in odd pieces and
    /// polled after each give the lines (and overlong samples) `LineReader` gives for the whole
    /// file, except the unfinished last line, which the tailer keeps waiting.
    @Test(arguments: [[1], [3, 7], [64, 1, 300]])
    func sameLinesAsTheOfflineReader(pieces: [Int]) throws {
        let text = "first\r\nsecond\n\n" + String(repeating: "x", count: 700) + "\r\nafter\n"
            + String(repeating: "z", count: 256) + "\nlast-without-newline"
        let bytes = Array(text.utf8)
        var offline: [String] = []
        var source: any ByteSource = ChunkedSource(bytes, chunks: [4096])
        try LineReader(maxLineLength: 256, chunkSize: 4096).run(&source) { line, event, _ in
            offline.append("\(event) \(String(decoding: line, as: UTF8.self))")
        }

        let path = dir + "/a.log"
        let w = Writer(path)
        let t = tailer([path], maxLineLength: 256)
        var followed: [String] = []
        var at = 0
        var turn = 0
        var now = 0.0
        while at < bytes.count {
            let n = min(pieces[turn % pieces.count], bytes.count - at)
            turn += 1
            w.write(String(decoding: bytes[at..<(at + n)], as: UTF8.self))
            at += n
            now += 0.01
            t.poll(now: now) { _, line, event, _ in followed.append("\(event) \(String(decoding: line, as: UTF8.self))") }
        }
        #expect(followed == Array(offline.dropLast()))
        #expect(offline.last == "line last-without-newline")
        #expect(t.positions()[path]?.first?.offset == Int64(bytes.count - "last-without-newline".utf8.count))
    }
}
