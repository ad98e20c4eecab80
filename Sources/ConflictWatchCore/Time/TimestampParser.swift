/// Parses the time stamps access logs write, straight from bytes, into epoch microseconds (UTC).
///
/// Times repeat for every line of the same second, so the last stamp and its result are cached
/// (the last CLF stamp for the formats that say CLF, the last stamp of any form up to 32 bytes
/// for JSON's "whatever the logger wrote"): most lines cost one comparison of a few words.
package struct TimestampParser: Sendable {
    private var lastCLF: (UInt64, UInt64, UInt64, UInt16) = (0, 0, 0, 0)
    private var lastCLFMicros: Int64 = 0
    private var hasCached = false
    private var lastStamp: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var lastStampCount = -1
    private var lastStampMicros: Int64 = 0

    package init() {}

    /// `10/Oct/2000:13:55:36 -0700` — exactly 26 bytes, as nginx `$time_local` and Apache `%t`.
    @inline(__always)
    package mutating func parseCLF(_ b: UnsafeRawBufferPointer) -> Int64? {
        guard b.count == 26, let base = b.baseAddress else { return nil }
        let key = (
            base.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
            base.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
            base.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
            base.loadUnaligned(fromByteOffset: 24, as: UInt16.self)
        )
        if hasCached, key == lastCLF { return lastCLFMicros }
        guard let v = Self.parseCLFUncached(b) else { return nil }
        lastCLF = key
        lastCLFMicros = v
        hasCached = true
        return v
    }

    static func parseCLFUncached(_ b: UnsafeRawBufferPointer) -> Int64? {
        guard b[2] == ASCII.slash, b[6] == ASCII.slash, b[11] == ASCII.colon, b[14] == ASCII.colon,
              b[17] == ASCII.colon, b[20] == ASCII.space,
              let day = digits(b, 0, 2), let year = digits(b, 7, 4), let hour = digits(b, 12, 2),
              let minute = digits(b, 15, 2), let second = digits(b, 18, 2),
              let month = monthNumber(b[3], b[4], b[5]),
              let offset = zoneOffset(b, 21, colon: false) else { return nil }
        return CivilTime.micros(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second,
            fractionMicros: 0, offsetSeconds: offset)
    }

    /// ISO 8601 / RFC 3339: `2025-12-31T17:37:40.493035218+01:00`, `…Z`, `…+0100`, a space
    /// instead of `T`, or no zone at all (taken as UTC). Fractions beyond microseconds are cut.
    package static func parseISO8601(_ b: UnsafeRawBufferPointer) -> Int64? {
        guard b.count >= 19, b[4] == ASCII.dash, b[7] == ASCII.dash,
              b[10] == 0x54 || b[10] == 0x74 || b[10] == ASCII.space,
              b[13] == ASCII.colon, b[16] == ASCII.colon,
              let year = digits(b, 0, 4), let month = digits(b, 5, 2), let day = digits(b, 8, 2),
              let hour = digits(b, 11, 2), let minute = digits(b, 14, 2), let second = digits(b, 17, 2)
        else { return nil }
        var i = 19
        var frac: Int64 = 0
        if i < b.count, b[i] == ASCII.dot || b[i] == ASCII.comma {
            i += 1
            var scale: Int64 = 100_000
            let start = i
            while i < b.count, ASCII.isDigit(b[i]) {
                frac += Int64(b[i] &- ASCII.zero) * scale
                scale /= 10
                i += 1
            }
            if i == start { return nil }
        }
        var offset = 0
        if i < b.count {
            let z = b[i]
            if z == 0x5A || z == 0x7A {
                i += 1
            } else if z == ASCII.plus || z == ASCII.dash {
                let colon = i + 3 < b.count && b[i + 3] == ASCII.colon
                guard let o = zoneOffset(b, i, colon: colon) else { return nil }
                offset = o
                i += colon ? 6 : 5
            } else {
                return nil
            }
        }
        guard i == b.count else { return nil }
        return CivilTime.micros(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second,
            fractionMicros: frac, offsetSeconds: offset)
    }

    /// Epoch time as a decimal number: seconds (`1693840791.7564995`, nginx `$msec`), or
    /// milliseconds / microseconds / nanoseconds when the integer part is too large for seconds.
    package static func parseEpoch(_ b: UnsafeRawBufferPointer) -> Int64? {
        guard b.count > 0 else { return nil }
        var i = 0
        var whole: Int64 = 0
        var wholeDigits = 0
        while i < b.count, ASCII.isDigit(b[i]) {
            guard wholeDigits < 19 else { return nil }
            whole = whole &* 10 &+ Int64(b[i] &- ASCII.zero)
            wholeDigits += 1
            i += 1
        }
        guard wholeDigits > 0 else { return nil }
        var fracMicros: Int64 = 0
        if i < b.count, b[i] == ASCII.dot {
            i += 1
            var scale: Int64 = 100_000
            while i < b.count, ASCII.isDigit(b[i]) {
                fracMicros += Int64(b[i] &- ASCII.zero) * scale
                scale /= 10
                i += 1
            }
        }
        if i < b.count, b[i] == 0x65 || b[i] == 0x45 { return nil } // exponent form: not a log time
        guard i == b.count else { return nil }
        switch whole {
        case ..<100_000_000_000: return whole * 1_000_000 + fracMicros  // seconds
        case ..<100_000_000_000_000: return whole * 1_000 + fracMicros / 1_000  // milliseconds
        case ..<100_000_000_000_000_000: return whole  // microseconds
        default: return whole / 1_000  // nanoseconds
        }
    }

    /// Tries every supported form; used for JSON values.
    package mutating func parseAny(_ b: UnsafeRawBufferPointer) -> Int64? {
        guard b.count <= 32 else { return Self.parseAnyUncached(b) }
        var key: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &key) { $0.copyMemory(from: b) }
        if b.count == lastStampCount, key == lastStamp { return lastStampMicros }
        guard let v = Self.parseAnyUncached(b) else { return nil }
        lastStamp = key
        lastStampCount = b.count
        lastStampMicros = v
        return v
    }

    static func parseAnyUncached(_ b: UnsafeRawBufferPointer) -> Int64? {
        if b.count == 26, b[2] == ASCII.slash { return parseCLFUncached(b) }
        if b.count == 28, b[0] == ASCII.openBracket, b[27] == ASCII.closeBracket {
            return parseCLFUncached(b.slice(1, 27))
        }
        if b.count >= 19, b[4] == ASCII.dash { return parseISO8601(b) }
        return parseEpoch(b)
    }

    @inline(__always)
    static func digits(_ b: UnsafeRawBufferPointer, _ at: Int, _ n: Int) -> Int? {
        var v = 0
        for k in at..<(at + n) {
            let c = b[k]
            guard ASCII.isDigit(c) else { return nil }
            v = v * 10 + Int(c &- ASCII.zero)
        }
        return v
    }

    /// `+hhmm` or `+hh:mm` at `at`, as seconds east of UTC.
    static func zoneOffset(_ b: UnsafeRawBufferPointer, _ at: Int, colon: Bool) -> Int? {
        let need = colon ? 6 : 5
        guard at + need <= b.count else { return nil }
        let sign: Int
        switch b[at] {
        case ASCII.plus: sign = 1
        case ASCII.dash: sign = -1
        default: return nil
        }
        guard let hh = digits(b, at + 1, 2), let mm = digits(b, at + (colon ? 4 : 3), 2),
              hh <= 23, mm <= 59 else { return nil }
        return sign * (hh * 3600 + mm * 60)
    }

    @inline(__always)
    static func monthNumber(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Int? {
        switch (a | 0x20, b | 0x20, c | 0x20) {
        case (0x6A, 0x61, 0x6E): return 1   // jan
        case (0x66, 0x65, 0x62): return 2   // feb
        case (0x6D, 0x61, 0x72): return 3   // mar
        case (0x61, 0x70, 0x72): return 4   // apr
        case (0x6D, 0x61, 0x79): return 5   // may
        case (0x6A, 0x75, 0x6E): return 6   // jun
        case (0x6A, 0x75, 0x6C): return 7   // jul
        case (0x61, 0x75, 0x67): return 8   // aug
        case (0x73, 0x65, 0x70): return 9   // sep
        case (0x6F, 0x63, 0x74): return 10  // oct
        case (0x6E, 0x6F, 0x76): return 11  // nov
        case (0x64, 0x65, 0x63): return 12  // dec
        default: return nil
        }
    }
}
