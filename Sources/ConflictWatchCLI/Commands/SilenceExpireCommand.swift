import ArgumentParser
import ConflictWatchCore
import ConflictWatchServer
import ConflictWatchStore

struct SilenceExpireCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expire",
        abstract: "End a silence now; the open alerts it covered count (and notify) again.",
        discussion: """
            The silence is kept, expired, for `silence list --all`. An alert it covered that
            is still open sends its `opened` webhook once the daemon sees the change (within
            about a second).

            Examples:
              conflictwatch silence expire s-3f9c0a12b4d1
              conflictwatch silence expire s-3f9c0a12b4d1 --server http://127.0.0.1:9409
            """
    )

    @OptionGroup var target: SilenceSourceOptions

    @Argument(help: ArgumentHelp("The silence's id, as `silence list` shows it.", valueName: "id"))
    var id: String

    func validate() throws {
        if id.isEmpty { throw ValidationError("give the silence's id (see `conflictwatch silence list`)") }
    }

    func run() async throws {
        let silence: Silence
        if let fleet = try await target.withFleet({ try await $0.expireSilence(id: id) }) {
            guard let found = fleet else {
                throw RuntimeFailure("no silence \(id) in the fleet's database; list them with `conflictwatch silence list --all --database-url URL`")
            }
            silence = found
        } else if let api = target.client {
            silence = try await api.send(Silence.self, method: .delete, path: SilenceRequest.path + "/" + APIClient.encode(id))
        } else {
            let found: Silence?
            do {
                // Fails with the reader's message when there is no store, instead of creating one.
                _ = try target.source.store.openForReading()
                found = try target.openForWriting().expireSilence(id: id)
            } catch let e as StoreError {
                throw RuntimeFailure(e.description)
            }
            guard let found else {
                throw RuntimeFailure("no silence \(id) in \(target.directory); list them with `conflictwatch silence list --all`")
            }
            silence = found
        }
        QueryOutput.write("\(silence.id)  expired at \(silence.ends)\n")
    }
}
