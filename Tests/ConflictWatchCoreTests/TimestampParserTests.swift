import Testing
@testable import ConflictWatchCore

// Expected values computed independently with Python:
//   datetime.strptime(s, '%d/%b/%Y:%H:%M:%S %z').timestamp()  and  datetime.fromisoformat(...)
@Suite struct TimestampParserTests {
    func clf(_ s: String) -> Int64? {
        var p = TimestampParser()
        return Array(s.utf8).withUnsafeBytes { p.parseCLF($0) }
    }

    func iso(_ s: String) -> Int64? { Array(s.utf8).withUnsafeBytes { TimestampParser.parseISO8601($0) } }
    func epoch(_ s: String) -> Int64? { Array(s.utf8).withUnsafeBytes { TimestampParser.parseEpoch($0) } }

    @Test func clfWithOffsets() {
        #expect(clf("10/Oct/2000:13:55:36 -0700") == us(971_211_336))
        #expect(clf("29/Feb/2024:23:59:59 +0530") == us(1_709_231_399))
        #expect(clf("01/Jan/1970:00:00:00 +0000") == 0)
        #expect(clf("07/Dec/2016:11:05:07 +0100") == us(1_481_105_107))
    }

    @Test func clfRejectsImpossibleDates() {
        #expect(clf("30/Feb/2024:00:00:00 +0000") == nil)
        #expect(clf("29/Feb/2023:00:00:00 +0000") == nil)
        #expect(clf("10/Foo/2000:13:55:36 -0700") == nil)
        #expect(clf("10/Oct/2000:24:00:00 -0700") == nil)
        #expect(clf("10/Oct/2000:13:55:36 +2400") == nil)
        #expect(clf("10/Oct/2000:13:55:36-0700") == nil)
    }

    @Test func cacheDoesNotLeakAcrossDifferentStamps() {
        var p = TimestampParser()
        let a = Array("10/Oct/2000:13:55:36 -0700".utf8).withUnsafeBytes { p.parseCLF($0) }
        let b = Array("10/Oct/2000:13:55:37 -0700".utf8).withUnsafeBytes { p.parseCLF($0) }
        let c = Array("10/Oct/2000:13:55:37 +0000".utf8).withUnsafeBytes { p.parseCLF($0) }
        #expect(a == us(971_211_336))
        #expect(b == us(971_211_337))
        #expect(c == us(971_211_337 - 7 * 3600))
    }

    /// `parseAny` keeps the last stamp of any form: a stamp differing from it anywhere (the
    /// last byte of 32, the zone, a shorter stamp with the same prefix) must be parsed anew.
    @Test func parseAnyCacheComparesTheWholeStamp() {
        var p = TimestampParser()
        func any(_ s: String) -> Int64? { Array(s.utf8).withUnsafeBytes { p.parseAny($0) } }
        let stamps: [(String, Int64?)] = [
            ("2025-12-31T17:37:40.493035+01:00", us(1_767_199_060, 493_035)),
            ("2025-12-31T17:37:40.493035+01:01", us(1_767_199_000, 493_035)),
            ("2025-12-31T17:37:40.493036+01:01", us(1_767_199_000, 493_036)),
            ("2025-12-31T17:37:40.493036+01:01", us(1_767_199_000, 493_036)),
            ("2025-12-31T17:37:40.493036+02:00", us(1_767_195_460, 493_036)),
            ("2025-12-31T17:37:40.493036+02:0", nil),
            ("2025-12-31T17:37:40.493036", us(1_767_202_660, 493_036)),
            ("2025-12-31T17:37:40", us(1_767_202_660)),
            ("2025-12-31T17:37:41", us(1_767_202_661)),
            ("2025-12-31T17:37:40", us(1_767_202_660)),
            ("1693840791.7564995", us(1_693_840_791, 756_499)),
            ("1693840791.7564996", us(1_693_840_791, 756_499)),
            ("1693840792", us(1_693_840_792)),
            ("10/Oct/2000:13:55:36 -0700", us(971_211_336)),
            ("[10/Oct/2000:13:55:36 -0700]", us(971_211_336)),
            ("[10/Oct/2000:13:55:36 -0600]", us(971_211_336 - 3600)),
        ]
        for (stamp, want) in stamps {
            #expect(any(stamp) == want, "\(stamp)")
        }
        // Longer than the cache holds: parsed every time, still right.
        #expect(any("2025-12-31T17:37:40.493035218123+01:00") == us(1_767_199_060, 493_035))
        #expect(any("2025-12-31T17:37:41.493035218123+01:00") == us(1_767_199_061, 493_035))
    }

    @Test func iso8601Variants() {
        #expect(iso("2025-12-31T17:37:40.493035218+01:00") == us(1_767_199_060, 493_035))
        #expect(iso("2026-01-08T14:19:15.98012345Z") == us(1_767_881_955, 980_123))
        #expect(iso("2016-04-15T20:17:00.310Z") == us(1_460_751_420, 310_000))
        #expect(iso("2016-04-15 20:17:00") == us(1_460_751_420))
        #expect(iso("2016-04-15T22:17:00+0200") == us(1_460_751_420))
        #expect(iso("2016-04-15T20:17:00.Z") == nil)
        #expect(iso("2016-13-15T20:17:00Z") == nil)
        #expect(iso("2016-04-15T20:17:00Zjunk") == nil)
    }

    @Test func epochUnits() {
        #expect(epoch("1693840791.7564995") == us(1_693_840_791, 756_499))
        #expect(epoch("1693840791") == us(1_693_840_791))
        #expect(epoch("1693840791756") == us(1_693_840_791, 756_000))
        #expect(epoch("1693840791756499") == us(1_693_840_791, 756_499))
        #expect(epoch("1693840791756499500") == us(1_693_840_791, 756_499))
        #expect(epoch("1.5e9") == nil)
        #expect(epoch("") == nil)
        #expect(epoch("abc") == nil)
    }

    @Test func rfc3339RoundTrip() {
        #expect(CivilTime.rfc3339(us(971_211_336, 42)) == "2000-10-10T20:55:36.000042Z")
        #expect(CivilTime.rfc3339(0) == "1970-01-01T00:00:00.000000Z")
        #expect(CivilTime.rfc3339(-1) == "1969-12-31T23:59:59.999999Z")
        // Every day from 1900 to 2100 survives days → civil → days.
        for d in stride(from: -25_567, to: 47_482, by: 1) {
            let c = CivilTime.civilFromDays(d)
            #expect(CivilTime.daysFromCivil(year: c.year, month: c.month, day: c.day) == d)
        }
    }
}
