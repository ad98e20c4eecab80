import ConflictWatchCore
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The model's learned baselines in the state directory (`model-state.json`, the same schema as a
/// `train` output), so a restarted daemon starts warm instead of warming every route up again
/// (SPEC §5.5). Written atomically (temporary file, fsync, rename) with mode 0600; a missing or
/// unreadable file just means a cold start.
struct LearnedState {
    static let fileName = "model-state.json"
    let path: String

    init(stateDirectory: String) {
        path = (stateDirectory as NSString).appendingPathComponent(Self.fileName)
    }

    /// `parameters` with the saved baselines added; routes the configured model already
    /// describes keep its values. A file that cannot be used is logged with what it held and
    /// moved aside (`model-state.json.corrupt`), so the next save does not erase the evidence.
    func warmed(_ parameters: ModelParameters, logger: Logger) -> (ModelParameters, routes: Int) {
        guard let data = FileManager.default.contents(atPath: path) else { return (parameters, 0) }
        let saved: ModelParameters
        do {
            saved = try Self.decode(data)
        } catch {
            let aside = path + ".corrupt"
            let moved = rename(path, aside) == 0
            logger.warning("learned state not usable; discarded, starting without it", metadata: [
                "file": "\(path)", "bytes": "\(data.count)", "error": "\(error)",
                "moved_to": "\(moved ? aside : "(not moved: \(String(cString: strerror(errno))))")"])
            return (parameters, 0)
        }
        var p = parameters
        for (route, baseline) in saved.baselines where p.baselines[route] == nil { p.baselines[route] = baseline }
        return (p, saved.baselines.count)
    }

    /// Only the baselines are used, so only they are checked: a file saved under other (valid
    /// then) parameters still warms the model.
    static func decode(_ data: Data) throws -> ModelParameters {
        let saved: ModelParameters
        do {
            saved = try JSONDecoder().decode(ModelParameters.self, from: data)
        } catch let e as DecodingError {
            throw ModelParameterError(decodingError: e)
        } catch {
            throw error
        }
        try saved.validateBaselines()
        return saved
    }

    func save(_ parameters: ModelParameters, baselines: [String: RouteBaseline]) throws {
        var p = parameters
        p.baselines = baselines
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(p)
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw LearnedStateError(description: "cannot write \(tmp): \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        close(fd)
        guard written == data.count else { throw LearnedStateError(description: "short write to \(tmp)") }
        guard rename(tmp, path) == 0 else {
            throw LearnedStateError(description: "cannot rename \(tmp) to \(path): \(String(cString: strerror(errno)))")
        }
    }
}
