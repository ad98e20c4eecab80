import Testing
@testable import ConflictWatchCore

@Suite struct RouteNormalizerTests {
    @Test("the table's overflow and invalid routes are names: renormalizing keeps them")
    func specialNamesSurviveRenormalizing() {
        var n = RouteNormalizer()
        for name in [RouteTable.overflowRoute, "{invalid}"] {
            #expect(Array(name.utf8).withUnsafeBytes { n.renormalize(route: $0).lossyString } == name)
        }
    }

    @Test("an independent copy keeps what was learned and writes into a buffer of its own")
    func independentCopy() {
        var n = RouteNormalizer(varThreshold: 4)
        for i in 0..<10 { _ = route("/users/u\(i)/profile", &n) }
        var copy = n.independentCopy()
        #expect(copy.generation == n.generation)
        let mine = Array("/users/zz/profile".utf8).withUnsafeBytes { n.normalize(path: $0, hasRequestLine: true) }
        let theirs = Array("/orders/1".utf8).withUnsafeBytes { copy.normalize(path: $0, hasRequestLine: true) }
        #expect(mine.lossyString == "/users/{var}/profile", "the copy's write must not land in this buffer")
        #expect(theirs.lossyString == "/orders/{id}")
    }

    func route(_ path: String, _ n: inout RouteNormalizer) -> String {
        Array(path.utf8).withUnsafeBytes { n.normalize(path: $0, hasRequestLine: true).lossyString }
    }

    @Test(arguments: [
        ("/api/orders/42", "/api/orders/{id}"),
        ("/api/users/3f2c9a1e-7b4d-4c1a-9e8f-000000000123/cart", "/api/users/{uuid}/cart"),
        ("/api/items/5f2b9c1d8e4a7b3c2d1e0f9a", "/api/items/{hex}"),
        ("/api/carts/aB3dE9xQ2", "/api/carts/{token}"),
        ("/reports/2026-11-24/summary", "/reports/{date}/summary"),
        ("/users/jane.doe@example.com/prefs", "/users/{email}/prefs"),
        ("/users/jane.doe%40example.com/prefs", "/users/{email}/prefs"),
        ("/api/v2/oauth2/html5", "/api/v2/oauth2/html5"),
        ("/", "/"),
        ("/a/", "/a/"),
        ("", "/"),
        ("dolore/do/labore", "/dolore/do/labore"),
        ("http://example.com:8080/api/orders/7", "/api/orders/{id}"),
        ("*", "*"),
        ("/static/app.js", "/static/app.js"),
    ])
    func placeholders(path: String, expected: String) {
        var n = RouteNormalizer()
        #expect(route(path, &n) == expected)
    }

    @Test func learnsHighCardinalityPositions() {
        var n = RouteNormalizer(varThreshold: 20)
        var routes: [String] = []
        for i in 0..<200 { routes.append(route("/users/user\(Character(UnicodeScalar(97 + i % 26)!))\(String(repeating: "x", count: i / 26))/profile", &n)) }
        #expect(routes.first == "/users/usera/profile")
        #expect(routes.last == "/users/{var}/profile")
        // A sibling prefix with few values is untouched.
        for name in ["list", "search", "me"] { #expect(route("/users/\(name)", &n) == "/users/{var}") }
        #expect(route("/orders/list", &n) == "/orders/list")
        // Early routes merge once renormalized with what was learned.
        let early = Array("/users/usera/profile".utf8).withUnsafeBytes { n.renormalize(route: $0).lossyString }
        #expect(early == "/users/{var}/profile")
    }

    @Test func distinctValuesBelowThresholdStayLiteral() {
        var n = RouteNormalizer(varThreshold: 64)
        for i in 0..<40 { _ = route("/docs/page\(Character(UnicodeScalar(97 + i % 26)!))\(i / 26)", &n) }
        #expect(route("/docs/pagea0", &n) == "/docs/pagea0")
    }

    @Test func learnerMemoryIsBounded() {
        var l = VarPositionLearner(threshold: 10, capacity: 64)
        for p in 0..<10_000 { _ = l.observe(prefix: UInt64(p) &* 0x9E37_79B9, depth: 1, valueHash: UInt64(p)) }
        #expect(l.overflowed > 9_000)
    }

    @Test func explicitTemplatesWinFirst() {
        var n = RouteNormalizer(templates: ["/api/accounts/{account}/settings", "/files/{name}"])
        #expect(route("/api/accounts/acme/settings", &n) == "/api/accounts/{account}/settings")
        #expect(route("/files/report.pdf", &n) == "/files/{name}")
        #expect(route("/api/accounts/acme/other", &n) == "/api/accounts/acme/other")
    }

    @Test func invalidRequestLinesShareOneRoute() {
        var n = RouteNormalizer()
        let r = Array("\\x16\\x03".utf8).withUnsafeBytes { n.normalize(path: $0, hasRequestLine: false).lossyString }
        #expect(r == "{invalid}")
    }

    @Test func hugePathsAreCut() {
        var n = RouteNormalizer()
        let deep = route(String(repeating: "/seg", count: 100), &n)
        #expect(deep.hasSuffix("/{…}"))
        let wide = route("/" + String(repeating: "a", count: 5000), &n)
        #expect(wide.utf8.count <= RouteNormalizer.maxRouteBytes)
    }
}

@Suite struct SegmentClassifierTests {
    func c(_ s: String) -> Placeholder? { Array(s.utf8).withUnsafeBytes { SegmentClassifier.classify($0) } }

    @Test func identifiersAndNames() {
        #expect(c("0") == .id)
        #expect(c("123456789012345678901234567890") == .id)
        #expect(c("550e8400-e29b-41d4-a716-446655440000") == .uuid)
        #expect(c("550E8400-E29B-41D4-A716-446655440000") == .uuid)
        #expect(c("550e8400-e29b-41d4-a716-44665544000g") != .uuid)
        #expect(c("da39a3ee5e6b4b0d3255bfef95601890afd80709") == .hex)
        #expect(c("FMuukC2JOJ5HKmLBujjE_BkDo") == .token)
        #expect(c("v1") == nil)
        #expect(c("index.html") == nil)
        #expect(c("checkout") == nil)
        #expect(c("deadbeef") == nil)  // 8 hex letters without digits: a word
        #expect(c("2026-11-24") == .date)
        #expect(c("a@b") == nil)
    }
}

/// A position half way to `{var}` when the model's state is taken goes on from there after a
/// restore: the values seen so far (each position's bitmap) are part of the state.
@Suite struct LearnedPositionSnapshotTests {
    static func record(_ analyzer: inout TrafficAnalyzer, users: Range<Int>) {
        var parser = LogParser(format: .combined)
        for i in users {
            let line = #"10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "PUT /users/u\#(i)/profile HTTP/1.1" 200 1 "-" "x""#
            Array(line.utf8).withUnsafeBytes { buf in
                var x = ExchangeView()
                guard case .exchange = parser.parse(buf, into: &x) else { Issue.record("unparsed: \(line)"); return }
                analyzer.record(x)
            }
        }
    }

    @Test func aPositionHalfLearnedGoesOnAfterARestore() throws {
        var parameters = ModelParameters()
        parameters.routes.varThreshold = 40
        let learned = "/users/{var}/profile"
        // Uninterrupted: 30 users, the same 30 again (nothing new), then 15 more: {var}.
        var whole = TrafficAnalyzer(parameters: parameters)
        Self.record(&whole, users: 0..<30)
        Self.record(&whole, users: 0..<30)
        #expect(!whole.routeRows().contains { $0.route == learned }, "30 distinct users are not enough")
        Self.record(&whole, users: 30..<45)
        #expect(whole.routeRows().contains { $0.route == learned }, "45 distinct users make the position {var}")

        // The same with the state taken and restored after the first 30: the users seen before
        // count as seen (seeing them again adds nothing), the new ones add.
        var first = TrafficAnalyzer(parameters: parameters)
        Self.record(&first, users: 0..<30)
        var resumed = TrafficAnalyzer(parameters: parameters)
        try resumed.restore(first.snapshot())
        Self.record(&resumed, users: 0..<30)
        #expect(!resumed.routeRows().contains { $0.route == learned }, "the 30 users seen before the snapshot are not new after it")
        Self.record(&resumed, users: 30..<45)
        #expect(resumed.routeRows().contains { $0.route == learned })
    }
}
