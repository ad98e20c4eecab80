import Foundation
import Testing

@testable import ConflictWatchCore

/// A fleet summary grows in `LargeBuffer`: its bytes must come through every growth intact, the
/// capacity must double (not creep), and where the kernel offers transparent huge pages to
/// regions that ask for them, a large buffer must get them.
@Suite struct LargeBufferTests {
    @Test func growthKeepsEveryByteAndDoubles() {
        var bytes: [UInt8] = []
        var expected: [UInt8] = []
        var capacities: Set<Int> = []
        for i in 0..<3_000 {
            let chunk = [UInt8](repeating: UInt8(truncatingIfNeeded: i * 7), count: 1 + i % 997)
            LargeBuffer.reserve(&bytes, extra: chunk.count)
            #expect(bytes.capacity >= bytes.count + chunk.count)
            bytes.append(contentsOf: chunk)
            expected.append(contentsOf: chunk)
            capacities.insert(bytes.capacity)
        }
        #expect(bytes == expected)
        // About 1.5 MB in doubling steps: a few dozen capacities at most, not one per append.
        #expect(capacities.count < 30)
    }

    @Test func roomAlreadyThereIsNotReallocated() {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1 << 16)
        bytes.append(contentsOf: [1, 2, 3])
        let before = bytes.withUnsafeBufferPointer { $0.baseAddress }
        LargeBuffer.reserve(&bytes, extra: 1000)
        #expect(bytes.withUnsafeBufferPointer { $0.baseAddress } == before)
        #expect(bytes == [1, 2, 3])
    }

    /// Reads the kernel's own account (`/proc/self/smaps`) of the mapping holding the buffer.
    /// 64 MiB: above the largest size glibc's malloc serves from a reused heap (32 MiB), so the
    /// memory is fresh, as a busy agent's summary is.
    @Test(.enabled(if: LargeBufferTests.hugePagesOnRequest, "transparent huge pages are off on this machine"))
    func aLargeBufferIsBackedByHugePages() throws {
        var bytes: [UInt8] = []
        LargeBuffer.reserve(&bytes, extra: 64 << 20)
        let chunk = [UInt8](repeating: 0xA5, count: 1 << 20)
        for _ in 0..<64 { bytes.append(contentsOf: chunk) }
        // The middle of it: the kernel splits off the advised range, whole 2 MiB pages, as a
        // mapping of its own, and the buffer's first bytes stay in the one before it.
        let address = UInt(bitPattern: bytes.withUnsafeBufferPointer { $0.baseAddress! }) + UInt(32 << 20)
        let huge = try #require(Self.anonHugeKilobytes(containing: address))
        #expect(huge >= 32 << 10, "the buffer's mapping has \(huge) kB in huge pages")
    }

    static var hugePagesOnRequest: Bool {
        guard let mode = try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8) else { return false }
        return mode.contains("[madvise]") || mode.contains("[always]")
    }

    /// `AnonHugePages` of the mapping in /proc/self/smaps whose range holds `address`.
    static func anonHugeKilobytes(containing address: UInt) -> Int? {
        // Read to the end: a /proc file says it is empty (size 0) until read.
        guard let data = FileHandle(forReadingAtPath: "/proc/self/smaps")?.readDataToEndOfFile() else { return nil }
        let smaps = String(decoding: data, as: UTF8.self)
        var inside = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, range.contains("-"), !range.hasSuffix(":") {
                let ends = range.split(separator: "-").compactMap { UInt($0, radix: 16) }
                inside = ends.count == 2 && ends[0] <= address && address < ends[1]
            } else if inside, fields.first == "AnonHugePages:", fields.count >= 2 {
                return Int(fields[1])
            }
        }
        return nil
    }
}
