import ArgumentParser

/// `capture --format`.
enum CaptureOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, jsonl
}
