import ConflictWatchCore
import Testing
@testable import ConflictWatchIngest

/// The one line splitter: whatever the chunks the bytes arrive in (one at a time, odd sizes,
/// all at once) it hands out the same lines, with the same offsets for checkpoints.
@Suite struct LineFramerTests {
    struct Framed: Equatable {
        var text: String
        var event: LineFramer.Event
    }

    /// Feeds `data` in chunks cycling through `sizes` (0 = all at once), then `finish` as the
    /// offline reader does (the tailer does not).
    static func frame(_ data: [UInt8], sizes: [Int], maxLineLength: Int = 300, finish: Bool = true) -> (lines: [Framed], framer: LineFramer) {
        var framer = LineFramer(maxLineLength: maxLineLength)
        var out: [Framed] = []
        data.withUnsafeBytes { all in
            var at = 0
            var turn = 0
            while at < all.count {
                let size = sizes[turn % sizes.count]
                turn += 1
                let n = size == 0 ? all.count - at : min(size, all.count - at)
                framer.feed(UnsafeRawBufferPointer(rebasing: all[at..<(at + n)])) { line, event in
                    out.append(Framed(text: String(decoding: line, as: UTF8.self), event: event))
                }
                at += n
            }
        }
        if finish {
            framer.finish { line, event in out.append(Framed(text: String(decoding: line, as: UTF8.self), event: event)) }
        }
        return (out, framer)
    }

    static let sample = Array(("first\r\nsecond\n\n \t\nthird line\r\n" + String(repeating: "x", count: 1000) + "\nafter-long\n"
        + String(repeating: "y", count: 301) + "\r\n" + String(repeating: "z", count: 300) + "\n\r\nlast-without-newline").utf8)

    static let chunkings: [[Int]] = [[1], [2, 3], [7], [5, 1, 13], [199, 1], [64, 300, 1], [4096]]

    @Test(arguments: chunkings)
    func sameLinesWhateverTheChunking(sizes: [Int]) {
        let whole = Self.frame(Self.sample, sizes: [0]).lines
        let chunked = Self.frame(Self.sample, sizes: sizes).lines
        #expect(chunked == whole)
        #expect(whole.map(\.event) == [.line, .line, .line, .line, .line, .tooLong, .line, .tooLong, .line, .line, .line])
        #expect(whole.map(\.text)[0...4] == ["first", "second", "", " \t", "third line"])
        #expect(whole[5].text == String(repeating: "x", count: LineLimits.sampleLength), "an overlong line's sample is its first 200 bytes")
        #expect(whole[7].text == String(repeating: "y", count: LineLimits.sampleLength), "the limit counts the \\r too")
        #expect(whole[8].text == String(repeating: "z", count: 300), "a line of exactly the limit is a line")
        #expect(whole[9].text == "", "a lone \\r is an empty line")
        #expect(whole[10].text == "last-without-newline")
    }

    @Test(arguments: chunkings)
    func offsetsAreTheEndsOfCompleteLines(sizes: [Int]) {
        let (_, framer) = Self.frame(Self.sample, sizes: sizes, finish: false)
        let lastNewline = Self.sample.lastIndex(of: 0x0A)!
        #expect(framer.offset == Int64(lastNewline + 1), "the checkpoint stops before the partial line")
        #expect(framer.pendingBytes == Self.sample.count - lastNewline - 1)
        #expect(framer.lines == 10)
    }

    @Test func aPartialLineWaitsForItsNewline() {
        var framer = LineFramer(maxLineLength: 300)
        var lines: [String] = []
        for piece in ["par", "tial", " line", "\nnext"] {
            Array(piece.utf8).withUnsafeBytes { framer.feed($0) { line, _ in lines.append(String(decoding: line, as: UTF8.self)) } }
            if piece != "\nnext" { #expect(lines.isEmpty) }
        }
        #expect(lines == ["partial line"])
        #expect(framer.offset == 13)
        #expect(framer.pendingBytes == 4)
    }

    @Test(arguments: [[1], [17], [4096]])
    func anOverlongLineCostsOnlyItsSample(sizes: [Int]) {
        var framer = LineFramer(maxLineLength: 256)
        let long = [UInt8](repeating: 0x61, count: 1 << 20)
        var events: [LineFramer.Event] = []
        long.withUnsafeBytes { all in
            var at = 0
            var turn = 0
            while at < all.count {
                let n = min(sizes[turn % sizes.count], all.count - at)
                turn += 1
                framer.feed(UnsafeRawBufferPointer(rebasing: all[at..<(at + n)])) { _, e in events.append(e) }
                at += n
            }
        }
        #expect(events.isEmpty)
        #expect(framer.pendingBytes == 1 << 20, "the dropped bytes are still counted for the read position")
        Array("\nok\n".utf8).withUnsafeBytes { framer.feed($0) { _, e in events.append(e) } }
        #expect(events == [.tooLong, .line])
        #expect(framer.offset == Int64((1 << 20) + 4))
    }

    @Test func resetStartsAgain() {
        var framer = LineFramer(maxLineLength: 300, offset: 100, lines: 7)
        Array("a\nb".utf8).withUnsafeBytes { framer.feed($0) { _, _ in } }
        #expect(framer.offset == 102 && framer.lines == 8 && framer.pendingBytes == 1)
        framer.reset()
        #expect(framer.offset == 0 && framer.lines == 0 && framer.pendingBytes == 0)
    }
}
