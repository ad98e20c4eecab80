import ConflictWatchCLI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The binary: everything else is in ConflictWatchCLI, where the tests run the same commands.
@main
enum ConflictWatchMain {
    static func main() async {
        exit(await ConflictWatch.execute(Array(CommandLine.arguments.dropFirst())))
    }
}
