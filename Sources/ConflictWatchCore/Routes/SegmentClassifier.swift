/// Recognises path segments that name an instance rather than a kind of resource (SPEC §5.1).
package enum SegmentClassifier {
    /// Shortest run of letters and digits taken as a generated token (`aB3dE9xQ`). Shorter mixed
    /// words (`v2`, `oauth2`, `html5`) are names, not identifiers.
    static let minimumTokenLength = 8
    /// Shortest all-hex run taken as a hash or object id (24-hex Mongo ids, SHA digests).
    static let minimumHexLength = 16

    @inline(__always)
    package static func classify(_ s: UnsafeRawBufferPointer) -> Placeholder? {
        let n = s.count
        guard n > 0 else { return nil }
        // Fast path: short segments can only be numbers or (rarely) e-mail addresses.
        if n < minimumTokenLength {
            var digits = true
            for b in s where !ASCII.isDigit(b) {
                digits = false
                break
            }
            if digits { return .id }
            guard s.firstIndex(of: ASCII.at, from: 1) != nil else { return nil }
        }
        return classifyLong(s)
    }

    static func classifyLong(_ s: UnsafeRawBufferPointer) -> Placeholder? {
        let n = s.count
        var digits = 0, upper = 0, lower = 0, hexLetters = 0, dashes = 0, other = 0, at = -1
        for i in 0..<n {
            let b = s[i]
            if ASCII.isDigit(b) {
                digits += 1
            } else if ASCII.isUpper(b) {
                upper += 1
                if b <= 0x46 { hexLetters += 1 }
            } else if ASCII.isLower(b) {
                lower += 1
                if b <= 0x66 { hexLetters += 1 }
            } else if b == ASCII.dash {
                dashes += 1
            } else if b == ASCII.underscore {
                other += 1
            } else if b == ASCII.at, at < 0 {
                at = i
            } else {
                other += 1 << 8  // not a token character
            }
        }
        if digits == n { return .id }
        if at > 0 {
            if let dot = s.firstIndex(of: ASCII.dot, from: at + 2), dot < n - 1 { return .email }
        } else if other >= 1 << 8, let p = findPercent40(s), p > 0,
                  s.firstIndex(of: ASCII.dot, from: p + 4) != nil {
            return .email  // percent-encoded: local%40domain.tld
        }
        if n == 36, dashes == 4, s[8] == ASCII.dash, s[13] == ASCII.dash, s[18] == ASCII.dash, s[23] == ASCII.dash,
           digits + hexLetters == 32 { return .uuid }
        if n == 10, dashes == 2, digits == 8, s[4] == ASCII.dash, s[7] == ASCII.dash { return .date }
        let letters = upper + lower
        if n >= minimumHexLength, digits > 0, digits + hexLetters == n { return .hex }
        if n >= minimumTokenLength, other < 1 << 8, digits > 0, letters > 0,
           digits >= 2 || (upper > 0 && lower > 0) { return .token }
        return nil
    }

    private static func findPercent40(_ s: UnsafeRawBufferPointer) -> Int? {
        var i = 0
        while let p = s.firstIndex(of: ASCII.percent, from: i) {
            if s.slice(p, min(p + 3, s.count)).equals("%40") { return p }
            i = p + 1
        }
        return nil
    }
}
