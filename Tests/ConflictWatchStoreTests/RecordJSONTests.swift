import Testing
@testable import ConflictWatchStore

/// The rollups' hand-written status-count JSON against JSONEncoder's (`RecordJSON.encode`): the
/// same text, so rows written before and after it compare and merge alike.
@Suite struct RecordJSONTests {
    @Test(arguments: [
        [:],
        ["200": 13, "409": 3],
        ["0": 1, "99": 2, "200": 3, "1000": 4, "409": -5, "10": 7, "9": 8],
        ["B": 2, "a": 1, "z z": Int64.max, "-1": Int64.min],
    ] as [[String: Int64]])
    func countsAsJSONEncoderWritesThem(_ counts: [String: Int64]) throws {
        #expect(RecordJSON.encodeCounts(counts) == (try RecordJSON.encode(counts)))
    }

    /// Keys that need escaping take JSONEncoder's way.
    @Test func escapedKeysFallBack() throws {
        let counts: [String: Int64] = ["a\"b": 1, "c\\d": 2, "e/f": 3, "g\nh": 4, "é": 5]
        #expect(RecordJSON.encodeCounts(counts) == (try RecordJSON.encode(counts)))
    }
}
