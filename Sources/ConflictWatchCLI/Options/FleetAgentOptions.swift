import ArgumentParser
import ConflictWatchDaemon
import ConflictWatchFleet

/// `--database-url`, `--agent` and `--agent-timeout`: this daemon as a fleet agent (SPEC §7).
/// `tail` and `capture` take them through `DaemonOptions`; `run` takes them beside its config
/// file, where they override `database_url`, `agent` and `agent_timeout_seconds` (one config
/// shared by every host, the name or the URL given per host by its service unit).
struct FleetAgentOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Be an agent of a fleet on this PostgreSQL (SPEC §7), e.g. postgres://conflictwatch@db:5432/conflictwatch (default: $CONFLICTWATCH_DATABASE_URL).",
        valueName: "url"))
    var databaseURL: String?

    @Option(name: .long, help: ArgumentHelp("This agent's name in the fleet (default: the host name).", valueName: "name"))
    var agent: String?

    @Option(name: .long, help: ArgumentHelp(
        "A fleet agent not heard from for this long stops holding the fleet's watermark back (1-3600, default 30).",
        valueName: "seconds"))
    var agentTimeout: Int?

    /// The flags' own rules. `urlElsewhere`: a URL may come from somewhere the flags cannot see
    /// yet (`run`'s config file), so `--agent` alone is not refused here.
    func check(urlElsewhere: Bool = false) throws {
        let url = databaseURL != nil || FleetSettings.urlFromEnvironment() != nil || urlElsewhere
        if let agent {
            guard FleetSettings.validAgentName(agent) else {
                throw ValidationError("--agent \(agent): use 1 to 64 printable characters without spaces or '/'")
            }
            if !url { throw ValidationError("--agent names this daemon in a fleet; give --database-url (or $\(FleetSettings.environmentVariable)) too") }
        }
        if let agentTimeout {
            guard FleetSettings.agentTimeoutRange.contains(agentTimeout) else {
                throw ValidationError("--agent-timeout \(agentTimeout): allowed 1…3600 seconds (default 30)")
            }
            if !url { throw ValidationError("--agent-timeout is for a fleet; give --database-url (or $\(FleetSettings.environmentVariable)) too") }
        }
        if let databaseURL {
            do {
                _ = try FleetDatabaseURL(databaseURL)
            } catch {
                throw ValidationError("--database-url: \(error.description)")
            }
        }
    }

    /// `--database-url` (or the environment) and `--agent`; nil on a single server.
    func settings() throws -> FleetSettings? {
        var none: FleetSettings? = nil
        try apply(to: &none)
        return none
    }

    /// The flags over what a config file said (`fleet`, nil when it named no database): each
    /// flag given replaces its key, the others stay.
    func apply(to fleet: inout FleetSettings?) throws {
        let text = databaseURL ?? (fleet == nil ? FleetSettings.urlFromEnvironment() : nil)
        if let text {
            do {
                let url = try FleetDatabaseURL(text)
                if fleet == nil { fleet = FleetSettings(url: url, agent: FleetSettings.hostName()) } else { fleet!.url = url }
            } catch {
                throw ValidationError("--database-url: \(error.description)")
            }
        }
        guard fleet != nil else {
            if agent != nil || agentTimeout != nil {
                throw ValidationError("--agent and --agent-timeout are for a fleet; give --database-url (or database_url in the config) too")
            }
            return
        }
        if let agent { fleet!.agent = agent }
        if let agentTimeout { fleet!.agentTimeoutSeconds = Double(agentTimeout) }
    }
}
