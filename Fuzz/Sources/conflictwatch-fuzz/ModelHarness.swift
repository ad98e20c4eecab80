import ConflictWatchCore
import Foundation

/// The model file (`--model`, `train`'s output, the daemon's learned state): decoded and
/// validated. Most inputs are rightly refused; a crash is a finding, and so is a file that
/// loads but does not load again once written back (`train` writes what the daemon reads).
enum ModelHarness {
    static func run(_ data: UnsafeRawBufferPointer) {
        guard let parameters = try? ModelParameters.decode(Data(data)),
              let written = try? JSONEncoder().encode(parameters) else { return }
        let again: ModelParameters
        do {
            again = try ModelParameters.decode(written)
        } catch {
            preconditionFailure("a model file that loaded does not load once written back: \(error)")
        }
        precondition(again == parameters, "a model file changed when written back and loaded")
    }
}
