/// A fleet failure with a message a person can act on. `fatal` ones (a schema newer than this
/// build) stop the agent: retrying cannot help.
public struct FleetError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String
    public var fatal: Bool
    public init(_ description: String, fatal: Bool = false) {
        self.description = description
        self.fatal = fatal
    }
}
