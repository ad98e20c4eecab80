// swift-tools-version:6.0
import PackageDescription

// Data flows one way: sources (Ingest: files, stdin, gzip, followed files; Capture: libpcap) ->
// exchanges -> Core (parsers, routes, the model, alerts; no I/O) -> alert events -> Store (SQLite)
// -> queries (Server: API, dashboard, metrics; the CLI). Daemon composes the live pipeline and its
// services; Lab is the test bench (simulator, evaluation) that only the CLI links; the CLI is a
// library of commands behind a one-file executable. docs/architecture.md draws the picture.
// Each target declares exactly the modules it imports (`make imports`), and `make test` builds with
// the explicit import check and warnings as errors.
// What the compiler checks in every target: `any` spelled out for existentials, and a file sees
// only the members of the modules it imports.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "conflictwatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "conflictwatch", targets: ["conflictwatch"]),
        .library(name: "ConflictWatchCore", targets: ["ConflictWatchCore"]),
        // For the fuzzers in Fuzz/, a package of their own that can only see products.
        .library(name: "ConflictWatchCapture", targets: ["ConflictWatchCapture"]),
        .library(name: "ConflictWatchDaemon", targets: ["ConflictWatchDaemon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.20.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        // Already in the graph through Hummingbird; named because the server's connection limits
        // are NIO channel handlers (Sources/ConflictWatchServer/Limits).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.70.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.24.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        // The fleet's shared store (SPEC §7), and TLS to it (already in the graph through both).
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.25.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CPcap",
            pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // The compiler's prefetch hint for the model's tables (a header, nothing to link).
        .systemLibrary(name: "CPrefetch", path: "Sources/CPrefetch"),
        // Sixteen-byte scans for the JSON parser's strings (a header, nothing to link).
        .systemLibrary(name: "CByteScan", path: "Sources/CByteScan"),
        .target(name: "ConflictWatchCore", dependencies: ["CPrefetch", "CByteScan"], swiftSettings: strictSettings),
        // The test bench: the traffic simulator and the scoring of alerts against its truth.
        .target(name: "ConflictWatchLab", dependencies: ["ConflictWatchCore"], swiftSettings: strictSettings),
        // One way in for log lines (files, stdin, gzip, followed files) and captures read from files:
        // sources -> line framing -> line decoding -> exchanges. No store: the daemon keeps the positions.
        .target(
            name: "ConflictWatchIngest",
            dependencies: [
                "ConflictWatchCore", "ConflictWatchCapture", "CZlib",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(name: "ConflictWatchCapture", dependencies: ["ConflictWatchCore", "CPcap"], swiftSettings: strictSettings),
        // The embedded store (SPEC §7): SQLite through GRDB, one writer, readers in any process.
        .target(name: "ConflictWatchStore", dependencies: [
            "ConflictWatchCore", "CZlib",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strictSettings),
        // A fleet on PostgreSQL (SPEC §7): the agents' shipper, the aggregator that merges their
        // summaries and runs the model on the fleet (its exchanges accounted in Ingest's routed batches),
        // and the fleet's queries.
        .target(name: "ConflictWatchFleet", dependencies: [
            "ConflictWatchCore", "ConflictWatchIngest", "ConflictWatchStore",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strictSettings),
        // The query API and metrics (SPEC §9): Hummingbird over the store and the live status.
        .target(name: "ConflictWatchServer", dependencies: [
            "ConflictWatchCore", "ConflictWatchStore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ], swiftSettings: strictSettings),
        // The daemon (SPEC §8): tailing through rotation, the live pipeline, checkpoints, webhooks.
        .target(name: "ConflictWatchDaemon", dependencies: [
            "ConflictWatchCore", "ConflictWatchIngest", "ConflictWatchCapture", "ConflictWatchStore", "ConflictWatchServer", "ConflictWatchFleet",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            // The webhook sender's requests and timeouts are AsyncHTTPClient's NIO types.
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Yams", package: "Yams"),
        ], swiftSettings: strictSettings),
        // The commands: options parsed, one library call each, the output rendered. A library so the
        // tests run the commands in-process (`ConflictWatch.execute`), as the binary does.
        .target(
            name: "ConflictWatchCLI",
            dependencies: [
                "ConflictWatchCore",
                "ConflictWatchLab",
                "ConflictWatchIngest",
                "ConflictWatchCapture",
                "ConflictWatchStore",
                "ConflictWatchDaemon",
                "ConflictWatchServer",
                "ConflictWatchFleet",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "conflictwatch",
            dependencies: ["ConflictWatchCLI"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "ConflictWatchCoreTests", dependencies: ["ConflictWatchCore"], swiftSettings: strictSettings),
        .testTarget(name: "ConflictWatchLabTests", dependencies: ["ConflictWatchLab", "ConflictWatchCore"], swiftSettings: strictSettings),
        .testTarget(name: "ConflictWatchIngestTests", dependencies: [
            "ConflictWatchIngest", "ConflictWatchCore", "ConflictWatchLab",
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strictSettings),
        .testTarget(name: "ConflictWatchCaptureTests", dependencies: ["ConflictWatchCapture", "ConflictWatchCore"], swiftSettings: strictSettings),
        .testTarget(name: "ConflictWatchStoreTests", dependencies: [
            "ConflictWatchStore", "ConflictWatchCore",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strictSettings),
        .testTarget(name: "ConflictWatchDaemonTests", dependencies: [
            "ConflictWatchDaemon", "ConflictWatchStore", "ConflictWatchCore", "ConflictWatchServer", "ConflictWatchCapture", "ConflictWatchFleet",
            "ConflictWatchTestSupport",
            .product(name: "Logging", package: "swift-log"),
            // A real HTTP receiver for the webhook sender's tests.
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            // A second writer holding the store's database while the pipeline commits.
            .product(name: "GRDB", package: "GRDB.swift"),
        ], swiftSettings: strictSettings),
        .testTarget(name: "ConflictWatchServerTests", dependencies: [
            "ConflictWatchServer", "ConflictWatchStore", "ConflictWatchCore", "ConflictWatchTestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strictSettings),
        // Runs against the real PostgreSQL `make test` starts (scripts/with_postgres.sh).
        .testTarget(name: "ConflictWatchFleetTests", dependencies: [
            "ConflictWatchFleet", "ConflictWatchCore", "ConflictWatchStore", "ConflictWatchServer",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ], swiftSettings: strictSettings),
        .testTarget(name: "ConflictWatchCLITests", dependencies: [
            "ConflictWatchCLI", "ConflictWatchDaemon", "ConflictWatchFleet",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strictSettings),
        .testTarget(name: "IntegrationTests", dependencies: ["ConflictWatchTestSupport"], swiftSettings: strictSettings),
        // Raw sockets for the server-limit tests, and the daemon tests' order traffic.
        .target(name: "ConflictWatchTestSupport", path: "Tests/TestSupport", swiftSettings: strictSettings),
    ],
    swiftLanguageModes: [.v6]
)
