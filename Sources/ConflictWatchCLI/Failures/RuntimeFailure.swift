/// A failure at run time (exit 1) with a message a person can act on.
struct RuntimeFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
