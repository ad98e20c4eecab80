import Foundation

/// A model file that cannot be used, naming the file (and the key, through the inner error).
public struct ModelFileError: Error, CustomStringConvertible, Sendable {
    public enum Problem: Sendable {
        case unreadable(String)
        case invalid(ModelParameterError)
    }

    public var path: String
    public var problem: Problem

    public init(path: String, problem: Problem) {
        self.path = path
        self.problem = problem
    }

    /// The offending key, when a value was refused.
    public var key: String? {
        if case .invalid(let e) = problem { return e.key }
        return nil
    }

    public var description: String {
        switch problem {
        case .unreadable(let why): return "model file \(path): cannot read it (\(why))"
        case .invalid(let e): return "model file \(path): \(e.description)"
        }
    }
}
