// swift-tools-version:6.0
import PackageDescription

// libFuzzer harnesses for everything that reads untrusted bytes (SPEC §10). A package of its own
// because the sanitizer flags must reach the code under test: `make fuzz` builds this package
// with `-sanitize=fuzzer,address`, which applies to every module it compiles, the main
// package's included, while the main package's own builds stay untouched.
let package = Package(
    name: "conflictwatch-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, so the identity does not depend on the directory the repository is cloned into.
        .package(name: "conflictwatch", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "conflictwatch-fuzz",
            dependencies: [
                .product(name: "ConflictWatchCore", package: "conflictwatch"),
                .product(name: "ConflictWatchCapture", package: "conflictwatch"),
                .product(name: "ConflictWatchDaemon", package: "conflictwatch"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
