/// One request the nginx test sends, and what every log should say about it.
struct SentRequest: Sendable, CustomStringConvertible {
    var method: String
    var path: String
    var query: String?
    /// The source address as nginx logs it: 127.0.0.x (curl --interface) or ::1.
    var client: String
    /// nil: no User-Agent header at all (nginx logs `-`).
    var userAgent: String?
    var expectedStatus: Int
    /// The normalized route, where the test pins one down (SPEC 5.1 placeholders).
    var expectedRoute: String?

    var isIPv6: Bool { client.contains(":") }
    var target: String { path + (query.map { "?" + $0 } ?? "") }
    var description: String { "\(method) \(target) from \(client)" }
}
