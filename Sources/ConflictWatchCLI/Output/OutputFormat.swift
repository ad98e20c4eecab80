import ArgumentParser

/// `--format` of `analyze` and of the other commands printing one report.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}
