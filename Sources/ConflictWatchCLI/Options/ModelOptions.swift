import ArgumentParser
import ConflictWatchCore
import ConflictWatchDaemon
import Foundation

/// `--model`, for every command that runs the model (also on packets, where no log format applies).
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Model parameters file (default: built-in, identical to models/default.json).", valueName: "file"))
    var model: String?

    @Option(name: .long, help: ArgumentHelp(
        "OpenAPI 3 or Swagger 2 document (JSON or YAML) whose paths become route templates, after the model file's.",
        valueName: "file"))
    var openapi: String?

    func validate() throws {
        if let model, !FileManager.default.isReadableFile(atPath: model) {
            throw ValidationError("--model \(model): no readable file there; pass a model JSON such as models/default.json")
        }
    }

    /// The `--model` file's parameters with the `--openapi` document's route templates; a value
    /// out of range or a bad document is a usage error (exit 2) naming the file and the problem.
    func parameters() throws -> ModelParameters {
        var parameters = ModelParameters()
        if let model {
            do {
                parameters = try ModelParameters.load(contentsOf: URL(fileURLWithPath: model))
            } catch {
                throw UsageFailure("--model \(error.description)")
            }
        }
        if let openapi {
            do {
                parameters.routes.templates = try OpenAPIRoutes.merged(parameters.routes.templates, document: openapi)
            } catch {
                throw UsageFailure("--openapi \(error.description)")
            }
        }
        return parameters
    }
}
