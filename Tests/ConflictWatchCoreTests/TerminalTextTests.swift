import Testing
@testable import ConflictWatchCore

/// Text from traffic never reaches a terminal raw (SPEC §10).
@Suite struct TerminalTextTests {
    @Test func controlsAreEscapedVisibly() {
        #expect(TerminalText.escape("/a\u{1B}]0;pwned\u{07}/b") == #"/a\x1b]0;pwned\x07/b"#)
        #expect(TerminalText.escape("x\ty\nz\r") == #"x\ty\nz\r"#)
        #expect(TerminalText.escape("del\u{7F}") == #"del\x7f"#)
        #expect(TerminalText.escape("c1\u{9B}2J") == #"c1\u{9b}2J"#)
        #expect(TerminalText.escape("gpj.\u{202E}exe") == #"gpj.\u{202e}exe"#)
        #expect(TerminalText.escape("\u{2066}x\u{2069}") == #"\u{2066}x\u{2069}"#)
        #expect(TerminalText.escape("\u{0}") == #"\x00"#)
    }

    @Test func ordinaryTextIsKept() {
        for s in ["/api/orders/{id}", "Grüße 😀", "2001:db8::1", "Mozilla/5.0 (X11; Linux x86_64)", "a\\x1b literal", ""] {
            #expect(TerminalText.escape(s) == s)
        }
    }

    @Test func nothingRawSurvivesAnyInput() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let scalars = (0..<40).compactMap { _ in Unicode.Scalar(UInt32.random(in: 0...0x2100, using: &rng)) }
            var s = String.UnicodeScalarView()
            s.append(contentsOf: scalars)
            let out = TerminalText.escape(String(s))
            #expect(!out.unicodeScalars.contains(where: TerminalText.needsEscape), "\(out)")
        }
    }

    @Test func linesKeepTheirBreaksOnly() {
        #expect(TerminalText.escapeLines("a\u{1B}[2J\nb\tc\n") == "a\\x1b[2J\nb\\tc\n")
        #expect(TerminalText.escapeLines("plain\ntext\n") == "plain\ntext\n")
    }
}
