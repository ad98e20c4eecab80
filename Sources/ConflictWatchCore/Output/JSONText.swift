/// Appends JSON text to a byte buffer. Strings are escaped per RFC 8259; bytes that are not
/// valid UTF-8 are written as the visible text `\xHH` (the way nginx escapes them), so the
/// output is always valid UTF-8 JSON and the original bytes stay recognisable.
package enum JSONText {
    static let hex: [UInt8] = Array("0123456789abcdef".utf8)
    static let hexUpper: [UInt8] = Array("0123456789ABCDEF".utf8)

    package static func appendString(_ s: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(ASCII.quote)
        var i = 0
        let n = s.count
        while i < n {
            let b = s[i]
            if b < 0x80 {
                switch b {
                case ASCII.quote: out.append(ASCII.backslash); out.append(ASCII.quote)
                case ASCII.backslash: out.append(ASCII.backslash); out.append(ASCII.backslash)
                case 0x0A: out.append(ASCII.backslash); out.append(0x6E)
                case 0x0D: out.append(ASCII.backslash); out.append(0x72)
                case 0x09: out.append(ASCII.backslash); out.append(0x74)
                case 0..<0x20, 0x7F:
                    out.append(contentsOf: [ASCII.backslash, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
                default: out.append(b)
                }
                i += 1
                continue
            }
            let len = validSequenceLength(s, i)
            if len > 0 {
                for k in i..<(i + len) { out.append(s[k]) }
                i += len
            } else {
                out.append(contentsOf: [ASCII.backslash, ASCII.backslash, 0x78, hexUpper[Int(b >> 4)], hexUpper[Int(b & 15)]])
                i += 1
            }
        }
        out.append(ASCII.quote)
    }

    package static func appendString(_ s: String, to out: inout [UInt8]) {
        var copy = s
        copy.withUTF8 { appendString(UnsafeRawBufferPointer($0), to: &out) }
    }

    /// Length of the well-formed UTF-8 sequence starting at `i` (RFC 3629 table), or 0.
    @inline(__always)
    static func validSequenceLength(_ s: UnsafeRawBufferPointer, _ i: Int) -> Int {
        let b0 = s[i]
        let n = s.count
        func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            k < n && s[k] >= lo && s[k] <= hi
        }
        switch b0 {
        case 0xC2...0xDF: return cont(i + 1) ? 2 : 0
        case 0xE0: return cont(i + 1, 0xA0) && cont(i + 2) ? 3 : 0
        case 0xE1...0xEC, 0xEE, 0xEF: return cont(i + 1) && cont(i + 2) ? 3 : 0
        case 0xED: return cont(i + 1, 0x80, 0x9F) && cont(i + 2) ? 3 : 0
        case 0xF0: return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0
        case 0xF1...0xF3: return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0
        case 0xF4: return cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3) ? 4 : 0
        default: return 0
        }
    }

    package static func appendInt(_ v: Int64, to out: inout [UInt8]) {
        if v == 0 { out.append(ASCII.zero); return }
        var x = v
        if x < 0 { out.append(ASCII.dash); x = -x }
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var k = 0
        withUnsafeMutableBytes(of: &tmp) { buf in
            while x > 0 { buf[k] = UInt8(x % 10) + ASCII.zero; x /= 10; k += 1 }
            while k > 0 { k -= 1; out.append(buf[k]) }
        }
    }

    /// Milliseconds from microseconds with three decimals, e.g. `12.345`.
    package static func appendMillis(_ micros: Int64, to out: inout [UInt8]) {
        appendInt(micros / 1000, to: &out)
        out.append(ASCII.dot)
        let frac = Int(micros % 1000)
        out.append(UInt8(frac / 100) + ASCII.zero)
        out.append(UInt8(frac / 10 % 10) + ASCII.zero)
        out.append(UInt8(frac % 10) + ASCII.zero)
    }

    package static func appendNull(to out: inout [UInt8]) { out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C]) }

    package static func appendKey(_ key: StaticString, to out: inout [UInt8]) {
        out.append(ASCII.quote)
        out.append(contentsOf: UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        out.append(ASCII.quote)
        out.append(ASCII.colon)
    }
}
