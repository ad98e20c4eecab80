/// A store failure with a message a person can act on (what failed, where, what to do).
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
