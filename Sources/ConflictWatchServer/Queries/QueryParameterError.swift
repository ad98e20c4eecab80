/// A query parameter the API (or a query built for it) cannot use; the message names the
/// parameter first, so an operator sees at once which one to fix.
public struct QueryParameterError: Error, CustomStringConvertible, Sendable, Equatable {
    public var parameter: String
    public var problem: String

    public init(_ parameter: String, _ problem: String) {
        self.parameter = parameter
        self.problem = problem
    }

    public var description: String { "\(parameter): \(problem)" }
}
