import ArgumentParser
import ConflictWatchCore
import ConflictWatchDaemon
import Foundation

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

