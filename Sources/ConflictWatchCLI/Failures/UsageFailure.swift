/// A usage error found while running (exit 2, SPEC §2): a file given on the command line whose
/// content is not allowed, such as a model value out of range.
struct UsageFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
