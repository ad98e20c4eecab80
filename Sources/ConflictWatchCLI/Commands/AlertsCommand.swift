import ArgumentParser

/// `alerts` lists stored alerts (the default) or shows one with `alerts show ID`.
struct AlertsCommand: ParsableCommand {
    // `alerts` runs `alerts list`, whose filters ArgumentParser shows only under
    // `alerts list --help`; they are named here too so `alerts --help` answers "how do I filter"
    // (a test keeps this list in step with the options of `list`).
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Query the alerts in the store (`alerts` = `alerts list`).",
        discussion: """
            `conflictwatch alerts [filters]` lists alerts; `alerts show ID` prints one
            with its evidence. Times are traffic times; an alert is listed when it
            overlaps the window.

            Filters and options of `alerts` (details: `conflictwatch alerts list --help`):
              --since <when>        still open at or after: 30m, 1h, 7d or RFC 3339
              --until <when>        started at or before: 30m, 1h, 7d or RFC 3339
              --kind <kind>         burst or hotspot
              --route <glob>        route glob, e.g. '/api/orders/*'
              --client <addr>       only alerts blaming this client address
              --min-severity <s>    low, medium, high or critical
              --open                only alerts not closed yet
              --hide-silenced       leave out alerts a silence matches
              --limit <n>           the newest n alerts (still listed oldest first)
              --format <format>     table, json or csv
              --state-dir <dir>     the store to read (default: the user's state dir)
              --server <url>        ask a running daemon's API instead
              --api-token <token>   the daemon's API token (or $CONFLICTWATCH_API_TOKEN)
              --database-url <url>  read a fleet's alerts from its PostgreSQL instead
              --agent <name>        with --database-url: traffic through this agent

            Examples:
              conflictwatch alerts --since 1h --min-severity high
              conflictwatch alerts --route '/api/orders/*' --open --format json
              conflictwatch alerts show burst-20251124T160500Z-d52cbe
            """,
        subcommands: [AlertsListCommand.self, AlertsShowCommand.self],
        defaultSubcommand: AlertsListCommand.self
    )
}
