import ArgumentParser

/// `silence add|list|expire` (SPEC §6): quiet known alerts, as Alertmanager's silences do.
struct SilenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "silence",
        abstract: "Quiet matching alerts for a while: still stored, flagged, no webhook.",
        discussion: """
            A silenced alert is still detected and stored with "silenced": true;
            it sends no webhook and does not count as open (metrics, dashboard).
            `alerts` lists it flagged; --hide-silenced drops it. Works on the
            store (--state-dir: before any daemon ran, and while one runs),
            through a daemon's API (--server URL), or on a fleet's alerts
            (--database-url, or any fleet agent's --server). docs/silences.md
            has the details.

            Examples:
              conflictwatch silence add --route '/api/orders/*' --for 2h \\
                --comment 'deploy 4121, ticket OPS-88'
              conflictwatch silence list --all
              conflictwatch silence expire s-3f9c0a12b4d1
            """,
        subcommands: [SilenceAddCommand.self, SilenceListCommand.self, SilenceExpireCommand.self],
        defaultSubcommand: SilenceListCommand.self
    )
}
