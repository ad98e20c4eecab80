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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
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
        .executableTarget(
            name: "conflictwatch",
            dependencies: [
                "ConflictWatchCore",
                "ConflictWatchIngest",
                "ConflictWatchCapture",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ConflictWatchCoreTests", dependencies: ["ConflictWatchCore"]),
        .testTarget(name: "ConflictWatchIngestTests", dependencies: ["ConflictWatchIngest"]),
        .testTarget(name: "ConflictWatchCaptureTests", dependencies: ["ConflictWatchCapture", "ConflictWatchCore"]),
        .testTarget(name: "IntegrationTests", dependencies: ["ConflictWatchCore"]),
    ],
    swiftLanguageModes: [.v6]
)
