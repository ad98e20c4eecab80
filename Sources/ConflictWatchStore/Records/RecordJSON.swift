import Foundation

/// JSON for the text columns: keys sorted so equal values give equal text.
package enum RecordJSON {
    package static func encode<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: try e.encode(value), as: UTF8.self)
    }

    package static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// `encode` of a status → count map, written directly: the rollups make one per route per
    /// minute (and per bucket), and JSONEncoder cost more than the rest of the cut together.
    /// The same text as `encode` (keys sorted, no spaces); keys that would need escaping go
    /// through `encode`.
    package static func encodeCounts(_ counts: [String: Int64]) -> String {
        let plain = counts.keys.allSatisfy { key in
            key.utf8.allSatisfy { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") && $0 < 0x7F && $0 != UInt8(ascii: "/") }
        }
        guard plain else { return (try? encode(counts)) ?? "{}" }
        var out = "{"
        for (i, key) in counts.keys.sorted().enumerated() {
            if i > 0 { out += "," }
            out += "\"" + key + "\":" + String(counts[key]!)
        }
        return out + "}"
    }
}
