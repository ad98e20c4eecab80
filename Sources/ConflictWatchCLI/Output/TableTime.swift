/// Times in tables: ISO 8601 UTC to the second, with its `Z`, so a reader never has to guess
/// the zone (the stored times are RFC 3339 UTC with microseconds; JSON keeps those whole).
enum TableTime {
    static func utc(_ rfc3339: String) -> String {
        // "2025-11-24T16:04:22.000000Z" → "2025-11-24T16:04:22Z"; anything else is shown as it is.
        guard rfc3339.count >= 20, rfc3339.hasSuffix("Z") else { return rfc3339 }
        return String(rfc3339.prefix(19)) + "Z"
    }
}
