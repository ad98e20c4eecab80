#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Calendar arithmetic on the proleptic Gregorian calendar, in integers only (Howard Hinnant's
/// `days_from_civil` / `civil_from_days`). Times in conflictwatch are Int64 microseconds since
/// the Unix epoch, UTC.
public enum CivilTime {
    public static let microsPerSecond: Int64 = 1_000_000

    @inline(__always)
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    @inline(__always)
    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Epoch microseconds from validated civil fields; nil when a field is out of range.
    @inline(__always)
    static func micros(
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int,
        fractionMicros: Int64, offsetSeconds: Int
    ) -> Int64? {
        guard month >= 1, month <= 12, day >= 1, day <= daysInMonth(year: year, month: month),
              hour < 24, minute < 60, second <= 60 else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let secs = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        return secs * microsPerSecond + fractionMicros
    }

    /// Writes `2026-11-24T10:00:00.123456Z` (27 bytes) into `out`.
    public static func appendRFC3339(_ micros: Int64, to out: inout [UInt8]) {
        var secs = micros / microsPerSecond
        var frac = micros % microsPerSecond
        if frac < 0 { frac += microsPerSecond; secs -= 1 }
        var days = secs / 86_400
        var rem = secs % 86_400
        if rem < 0 { rem += 86_400; days -= 1 }
        let (y, m, d) = civilFromDays(Int(days))
        appendDigits(y, width: 4, to: &out)
        out.append(ASCII.dash)
        appendDigits(m, width: 2, to: &out)
        out.append(ASCII.dash)
        appendDigits(d, width: 2, to: &out)
        out.append(0x54) // T
        appendDigits(Int(rem / 3600), width: 2, to: &out)
        out.append(ASCII.colon)
        appendDigits(Int(rem % 3600 / 60), width: 2, to: &out)
        out.append(ASCII.colon)
        appendDigits(Int(rem % 60), width: 2, to: &out)
        out.append(ASCII.dot)
        appendDigits(Int(frac), width: 6, to: &out)
        out.append(0x5A) // Z
    }

    public static func rfc3339(_ micros: Int64) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(27)
        appendRFC3339(micros, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    static func appendDigits(_ value: Int, width: Int, to out: inout [UInt8]) {
        var v = value
        if v < 0 { out.append(ASCII.dash); v = -v }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            repeat {
                buf[n] = UInt8(v % 10) + ASCII.zero
                v /= 10
                n += 1
            } while v > 0 && n < 8
        }
        if n < width { for _ in n..<width { out.append(ASCII.zero) } }
        withUnsafeBytes(of: &digits) { buf in
            var i = n - 1
            while i >= 0 { out.append(buf[i]); i -= 1 }
        }
    }
}

extension CivilTime {
    /// An RFC 3339 time as written by `rfc3339`, back to µs since the epoch.
    public static func parseRFC3339(_ s: String) -> Int64? {
        var s = s
        return s.withUTF8 { TimestampParser.parseISO8601(UnsafeRawBufferPointer($0)) }
    }

    /// The wall clock, µs since the epoch.
    public static func nowMicros() -> Int64 { SystemClock.wallMicros() }
}
