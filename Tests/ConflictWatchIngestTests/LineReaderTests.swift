import Testing
@testable import ConflictWatchIngest

/// A source that hands out its bytes in a fixed pattern of chunk sizes (1 byte, odd sizes…),
/// like a slow pipe, to shake out buffer-boundary bugs.
final class ChunkedSource: ByteSource {
    let data: [UInt8]
    let chunks: [Int]
    var offset = 0
    var turn = 0
    var totalBytes: UInt64? { UInt64(data.count) }
    var bytesConsumed: UInt64 { UInt64(offset) }

    init(_ data: [UInt8], chunks: [Int]) {
        self.data = data
        self.chunks = chunks
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int {
        let want = min(chunks[turn % chunks.count], buffer.count, data.count - offset)
        turn += 1
        guard want > 0 else { return 0 }
        data.withUnsafeBytes { src in buffer.baseAddress!.copyMemory(from: src.baseAddress! + offset, byteCount: want) }
        offset += want
        return want
    }
}

func collectLines(_ data: [UInt8], chunks: [Int], maxLineLength: Int = 1024) throws -> [(String, LineReader.Event, Int)] {
    var source: any ByteSource = ChunkedSource(data, chunks: chunks)
    var out: [(String, LineReader.Event, Int)] = []
    let reader = LineReader(maxLineLength: maxLineLength, chunkSize: 4096)
    try reader.run(&source) { line, event, n in out.append((String(decoding: line, as: UTF8.self), event, n)) }
    return out
}

@Suite struct LineReaderTests {
    let text = "first\r\nsecond\n\nthird line with more bytes\nlast-without-newline"

    @Test(arguments: [[1], [2, 3], [7], [4096], [5, 1, 13]])
    func sameLinesWhateverTheChunking(chunks: [Int]) throws {
        let lines = try collectLines(Array(text.utf8), chunks: chunks)
        #expect(lines.map(\.0) == ["first", "second", "", "third line with more bytes", "last-without-newline"])
        #expect(lines.map(\.2) == [1, 2, 3, 4, 5])
        #expect(lines.allSatisfy { $0.1 == .line })
    }

    @Test(arguments: [[1], [3], [4096], [100, 7]])
    func overlongLinesAreReportedAndSkipped(chunks: [Int]) throws {
        let long = String(repeating: "x", count: 10_000)
        let data = Array("a\n\(long)\nb\n\(long)".utf8)
        let lines = try collectLines(data, chunks: chunks, maxLineLength: 1024)
        #expect(lines.map(\.1) == [.line, .tooLong, .line, .tooLong])
        #expect(lines.map(\.2) == [1, 2, 3, 4])
        #expect(lines[2].0 == "b")
        #expect(lines[1].0.count <= 200)
    }

    @Test func emptyInput() throws {
        #expect(try collectLines([], chunks: [10]).isEmpty)
    }
}
