#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// One executable for every harness, so CI builds once: `conflictwatch-fuzz TARGET [libFuzzer
// flags and corpus directories]`, or the target in CONFLICTWATCH_FUZZ_TARGET. libFuzzer's own
// `main` is replaced by this one (SwiftPM links executables with `main` pointing at the
// module's entry point), which picks the harness and then hands over to libFuzzer.

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The fuzzer runtime links against this name even though `LLVMFuzzerRunDriver` is given the
/// callback directly; both run the selected harness.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTarget.selected?.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

func printError(_ text: String) {
    var text = text + "\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

func fail(_ message: String) -> Never {
    printError("conflictwatch-fuzz: \(message)")
    printError("usage: conflictwatch-fuzz TARGET [libFuzzer flags] [corpus dirs]\ntargets:")
    for t in FuzzTarget.allCases { printError("  \(t.rawValue + String(repeating: " ", count: max(1, 15 - t.rawValue.count)))\(t.summary)") }
    exit(2)
}

var arguments = CommandLine.arguments
if arguments.count > 1, arguments[1] == "list" {
    for t in FuzzTarget.allCases { print(t.rawValue) }
    exit(0)
}
if arguments.count > 1, !arguments[1].hasPrefix("-") {
    guard let t = FuzzTarget(rawValue: arguments[1]) else { fail("unknown target '\(arguments[1])'") }
    FuzzTarget.selected = t
    arguments.remove(at: 1)
    // libFuzzer's -fork/-jobs children run argv again without the target: they find it here.
    setenv(FuzzTarget.environmentKey, t.rawValue, 1)
} else if let name = getenv(FuzzTarget.environmentKey).map({ String(cString: $0) }) {
    guard let t = FuzzTarget(rawValue: name) else { fail("unknown target '\(name)' in \(FuzzTarget.environmentKey)") }
    FuzzTarget.selected = t
} else {
    fail("no target given")
}

// libFuzzer keeps pointers into argv for the whole run: the table is never freed.
var argc = CInt(arguments.count)
let table = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: arguments.count + 1)
for (i, a) in arguments.enumerated() { table[i] = strdup(a) }
table[arguments.count] = nil
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = table
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzTestOneInput))
