import ArgumentParser

/// `--strict`, only where a run reads its input to the end and can answer with exit 3 (SPEC §2):
/// not on the daemons, which go on past a malformed line by design.
struct StrictOptions: ParsableArguments {
    @Flag(name: .long, help: "Exit with status 3 when any line was malformed.")
    var strict = false
}
