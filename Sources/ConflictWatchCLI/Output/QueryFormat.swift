import ArgumentParser

/// Output of the query commands.
enum QueryFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}
