import ArgumentParser
import ConflictWatchCore
import ConflictWatchDaemon
import Logging

struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Daemon in the foreground: follow access logs through rotation into the store.",
        discussion: """
            Follows each file by identity (device + inode): a renamed (rotated) file is
            read to its end before the new one takes over, a truncated one (copytruncate)
            is read again from 0, globs are matched again as files appear. Files seen for
            the first time start at their end unless --from-start. Progress is
            checkpointed in the same transaction as the alerts and rollups it produced, so
            a restart (also after kill -9) loses and repeats nothing. SIGINT/SIGTERM:
            flush and exit 0; SIGHUP: reopen files.

            Examples:
              conflictwatch tail /var/log/nginx/access.log
              conflictwatch tail --state-dir /tmp/cw --from-start '/var/log/nginx/*.log'
              conflictwatch tail --webhook http://127.0.0.1:8080/alerts \\
                /var/log/nginx/access.log
              conflictwatch tail --listen 127.0.0.1:9409 /var/log/nginx/access.log

            From another shell:
              conflictwatch alerts --server http://127.0.0.1:9409 --open
              conflictwatch alerts --state-dir /tmp/cw --since 1h
            """
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var store: StoreOptions

    @Flag(name: .long, help: "Read files seen for the first time from their start, not their end.")
    var fromStart = false

    @OptionGroup var daemon: DaemonOptions

    @Argument(help: ArgumentHelp("Log files or quoted globs to follow.", valueName: "file-or-glob"))
    var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one log file or quoted glob to follow") }
        if files.contains("-") { throw ValidationError("tail follows files; to analyse stdin use `conflictwatch analyze -`") }
    }

    func run() async throws {
        var settings = DaemonSettings(
            sources: files.map { .init(pattern: PathNormalizer.absolute($0), format: input.format) },
            parameters: try input.parameters(), stateDirectory: store.directory)
        // Not an error: the daemon follows a path once it appears; but say so, a typo would
        // otherwise wait silently for ever.
        if daemon.logLevel <= .warning {
            for source in settings.sources {
                if let message = ConfigPathCheck.missingSource(source.pattern) { Terminal.printError("conflictwatch: warning: \(message)") }
            }
        }
        settings.fromStart = fromStart
        settings.maxLineLength = input.maxLineLength
        try daemon.apply(to: &settings)
        try await DaemonLauncher.run(settings, logLevel: daemon.logLevel)
    }
}
