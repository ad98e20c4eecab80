import Foundation
import Testing
@testable import ConflictWatchCapture

#if canImport(Glibc)
import Glibc
#endif

/// libpcap reads a capture file record by record through stdio; what decides how many system
/// calls that takes is the FILE's buffer. `setvbuf` with no memory of its own keeps stdio's
/// 4 KiB page whatever size it is told, which is how the buffer was once asked for and never
/// given.
@Suite struct PcapFileBufferTests {
    @Test("a capture file is read from the disk a megabyte at a time, not a page")
    func oneReadFillsTheWholeBuffer() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cw-buffer-\(getpid()).bin").path
        defer { unlink(path) }
        let bytes = [UInt8](repeating: 0x5A, count: 3 * PcapHandle.fileBufferSize)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        let file = try #require(fopen(path, "rb"))
        defer { fclose(file) }
        let buffer = try #require(PcapHandle.enlargeBuffer(of: file))
        defer { free(buffer) }
        #expect(fgetc(file) == 0x5A)
        // One byte asked for; how far the descriptor moved is what the first read took.
        #expect(lseek(fileno(file), 0, SEEK_CUR) == off_t(PcapHandle.fileBufferSize))
    }

    @Test("a capture read by path gives every packet, through the enlarged buffer")
    func readsThroughTheBuffer() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cw-buffer-\(getpid()).pcap").path
        defer { unlink(path) }
        // A classic pcap: global header, then 40,000 records of 60-byte frames (2.9 MB, so the
        // buffer is refilled several times and records straddle its refills).
        var file: [UInt8] = []
        func le32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { file.append(contentsOf: $0) } }
        le32(0xA1B2_C3D4); file += [2, 0, 4, 0]; le32(0); le32(0); le32(65_535); le32(1)
        for i in 0..<40_000 {
            le32(1_700_000_000); le32(UInt32(i % 1_000_000)); le32(60); le32(60)
            file += [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: 60)
        }
        #expect(FileManager.default.createFile(atPath: path, contents: Data(file)))
        let handle = try PcapHandle.open(path: path)
        var packets = 0
        var lastFirstByte = -1
        reading: while true {
            switch handle.next() {
            case .packet(_, let data, _):
                #expect(data.count == 60)
                lastFirstByte = Int(data[0])
                packets += 1
            case .end: break reading
            case .timeout: continue
            case .failure(let message): Issue.record("\(message)"); break reading
            }
        }
        #expect(packets == 40_000)
        #expect(lastFirstByte == Int(UInt8(truncatingIfNeeded: 39_999)))
    }
}
