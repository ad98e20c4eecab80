// swift-tools-version:6.0
import PackageDescription

// Data flows one way: sources (Ingest, Capture) -> exchanges -> Core (parsers, routes, model) -> CLI.
// Core has no I/O and no dependencies, so it can be tested and benchmarked in isolation.
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
        .target(name: "ConflictWatchCore"),
        .target(name: "ConflictWatchIngest", dependencies: ["ConflictWatchCore", "ConflictWatchCapture", "CZlib"]),
        .target(name: "ConflictWatchCapture", dependencies: ["ConflictWatchCore", "CPcap"]),
        // The embedded store (SPEC §7): SQLite through GRDB, one writer, readers in any process.
        .target(name: "ConflictWatchStore", dependencies: [
            "ConflictWatchCore",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The query API and metrics (SPEC §9): Hummingbird over the store and the live status.
        .target(name: "ConflictWatchServer", dependencies: [
            "ConflictWatchCore", "ConflictWatchStore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // The daemon (SPEC §8): tailing through rotation, the live pipeline, checkpoints, webhooks.
        .target(name: "ConflictWatchDaemon", dependencies: [
            "ConflictWatchCore", "ConflictWatchIngest", "ConflictWatchCapture", "ConflictWatchStore", "ConflictWatchServer",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Yams", package: "Yams"),
        ]),
        .executableTarget(
            name: "conflictwatch",
            dependencies: [
                "ConflictWatchCore",
                "ConflictWatchIngest",
                "ConflictWatchCapture",
                "ConflictWatchStore",
                "ConflictWatchDaemon",
                "ConflictWatchServer",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "ConflictWatchCoreTests", dependencies: ["ConflictWatchCore"]),
        .testTarget(name: "ConflictWatchIngestTests", dependencies: ["ConflictWatchIngest"]),
        .testTarget(name: "ConflictWatchCaptureTests", dependencies: ["ConflictWatchCapture", "ConflictWatchCore"]),
        .testTarget(name: "ConflictWatchStoreTests", dependencies: ["ConflictWatchStore", "ConflictWatchCore"]),
        .testTarget(name: "ConflictWatchDaemonTests", dependencies: [
            "ConflictWatchDaemon", "ConflictWatchStore", "ConflictWatchCore", "ConflictWatchServer",
            // A real HTTP receiver for the webhook sender's tests.
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "ConflictWatchServerTests", dependencies: [
            "ConflictWatchServer", "ConflictWatchStore", "ConflictWatchCore", "ConflictWatchTestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "IntegrationTests", dependencies: ["ConflictWatchCore", "ConflictWatchTestSupport"]),
        // Raw sockets for the server-limit tests of both the in-process server and the daemon.
        .target(name: "ConflictWatchTestSupport", path: "Tests/TestSupport"),
    ],
    swiftLanguageModes: [.v6]
)
