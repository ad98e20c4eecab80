import ArgumentParser

/// Flags for output verbosity, shared by every command.
struct GlobalOptions: ParsableArguments {
    @Flag(name: .long, help: "Print nothing on stderr but errors.")
    var quiet = false

    @Flag(name: .long, help: "Print more detail on stderr (per-source reports).")
    var verbose = false

    func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose contradict each other; pick one") }
    }
}
