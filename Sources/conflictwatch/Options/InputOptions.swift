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

/// Flags shared by every command that reads access logs.
struct InputOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "combined, common, json, auto, or an nginx log_format string given verbatim.",
        valueName: "format"))
    var logFormat: String = "auto"

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: ArgumentHelp("Lines longer than this many bytes are counted as malformed.", valueName: "bytes"))
    var maxLineLength: Int = LineLimits.defaultMaxLineLength

    func validate() throws {
        do {
            _ = try LogFormat(argument: logFormat)
        } catch {
            throw ValidationError(error.description)
        }
        let range = LineLimits.maxLineLengthRange
        guard range.contains(maxLineLength) else {
            throw ValidationError("--max-line-length must be between \(range.lowerBound) and \(range.upperBound) bytes (default \(LineLimits.defaultMaxLineLength))")
        }
    }

    var format: LogFormat { (try? LogFormat(argument: logFormat)) ?? .auto }

    func parameters() throws -> ModelParameters { try modelOptions.parameters() }
}

/// `--strict`, only where a run reads its input to the end and can answer with exit 3 (SPEC §2):
/// not on the daemons, which go on past a malformed line by design.
struct StrictOptions: ParsableArguments {
    @Flag(name: .long, help: "Exit with status 3 when any line was malformed.")
    var strict = false
}

/// Flags for output verbosity, shared by every command.
struct GlobalOptions: ParsableArguments {
    @Flag(name: .long, help: "Print nothing on stderr but errors.")
    var quiet = false

    @Flag(name: .long, help: "Print more detail on stderr (per-source reports).")
    var verbose = false

    func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose contradict each other; pick one") }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// A usage error found while running (exit 2, SPEC §2): a file given on the command line whose
/// content is not allowed, such as a model value out of range.
struct UsageFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A failure at run time (exit 1) with a message a person can act on.
struct RuntimeFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
