/// Saving the learned baselines failed (logged; the next start is then colder).
struct LearnedStateError: Error, CustomStringConvertible {
    var description: String
}
