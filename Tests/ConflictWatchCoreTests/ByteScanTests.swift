import Testing
@testable import ConflictWatchCore

/// The parsers find field separators eight bytes at a time (`firstIndexNear`,
/// `firstIndexHybrid`): the word trick must give exactly what a byte loop gives, at every offset
/// and length, with bytes that stress it (the target beside 0x00, 0x01, 0x80, 0x81, 0xFF: the
/// values where a borrow or a high bit could mark the wrong byte).
@Suite struct ByteScanTests {
    static func naive(_ bytes: [UInt8], _ byte: UInt8, from: Int, to: Int) -> Int? {
        var i = from
        while i < to {
            if bytes[i] == byte { return i }
            i += 1
        }
        return nil
    }

    @Test("the word scan finds what a byte loop finds, for every start, length and target", arguments: [UInt8(0x20), 0x22, 0x00, 0x01, 0x80, 0xFF])
    func wordScanIsTheByteLoop(target: UInt8) {
        let alphabet: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0x81, 0xFE, 0xFF, 0x20, 0x21, 0x22, 0x41, target]
        let others = alphabet.filter { $0 != target }
        var state: UInt64 = UInt64(target) &+ 1
        for trial in 0..<3_000 {
            let n = trial % 41
            var bytes: [UInt8] = []
            for _ in 0..<n {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                // Mostly other bytes, so the first match lands anywhere, often far in.
                let pick = Int(truncatingIfNeeded: state >> 33) % (alphabet.count * 4)
                bytes.append(pick < alphabet.count ? alphabet[pick] : others[pick % others.count])
            }
            bytes.withUnsafeBytes { buf in
                for from in 0...n {
                    let expected = Self.naive(bytes, target, from: from, to: n)
                    #expect(buf.firstIndexNear(of: target, from: from) == expected, "near \(bytes) from \(from)")
                    #expect(buf.firstIndexHybrid(of: target, from: from) == expected, "hybrid \(bytes) from \(from)")
                    #expect(buf.firstIndex(of: target, from: from) == expected)
                }
            }
        }
    }

    @Test("a match in every position of a word, with the target's neighbours around it")
    func everyPositionOfAWord() {
        for target in [UInt8(0x20), 0x00, 0x80, 0xFF] {
            for filler in [UInt8(0x01), 0x7F, 0x81, 0xFE, target &+ 1, target &- 1] where filler != target {
                for length in 1...24 {
                    for at in 0..<length {
                        var bytes = [UInt8](repeating: filler, count: length)
                        bytes[at] = target
                        if at + 1 < length { bytes[at + 1] = target }
                        bytes.withUnsafeBytes { buf in
                            #expect(buf.firstIndexNear(of: target, from: 0) == at)
                            #expect(buf.firstIndexHybrid(of: target, from: 0) == at)
                        }
                    }
                    let none = [UInt8](repeating: filler, count: length)
                    none.withUnsafeBytes { buf in #expect(buf.firstIndexNear(of: target, from: 0) == nil) }
                }
            }
        }
    }

    /// `equals` compares up to 16 bytes with overlapping word loads: it must be `==` of the
    /// arrays for every length either side of the 1–3, 4–7, 8–16 and libc cases, with one byte
    /// changed at every position, at unaligned starts.
    @Test func equalsIsArrayEquality() {
        for n in 0...40 {
            let a = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            for start in 0..<3 {
                let padded = [UInt8](repeating: 0xAA, count: start) + a
                padded.withUnsafeBytes { p in
                    let x = UnsafeRawBufferPointer(rebasing: p[start...])
                    a.withUnsafeBytes { #expect(x.equals($0), "length \(n) at offset \(start)") }
                    for i in 0..<n {
                        for flip: UInt8 in [0x01, 0x80] {
                            var b = a
                            b[i] ^= flip
                            b.withUnsafeBytes { #expect(!x.equals($0), "length \(n), byte \(i) differs by \(flip)") }
                        }
                    }
                    // A different length never matches, even where the bytes agree.
                    if n > 0 { a.withUnsafeBytes { #expect(!x.equals(UnsafeRawBufferPointer(rebasing: $0[..<(n - 1)]))) } }
                }
            }
        }
    }
}
