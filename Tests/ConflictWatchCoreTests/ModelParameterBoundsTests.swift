import Foundation
import Testing
@testable import ConflictWatchCore

/// Model files are checked against sane bounds (SPEC §10): the error names the key, the value
/// and the allowed range, before any table is allocated.
@Suite struct ModelParameterBoundsTests {
    func error(_ json: String) -> ModelParameterError? {
        do {
            _ = try ModelParameters.decode(Data(json.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func everyNumericKeyOfTheDefaultFileHasABound() throws {
        let raw = try JSONSerialization.jsonObject(
            with: Data(contentsOf: ModelDefaultsTests.modelsDir.appendingPathComponent("default.json"))) as! [String: Any]
        var numeric: Set<String> = []
        for (k, v) in raw where v is NSNumber { numeric.insert(k) }
        for (k, v) in raw["routes"] as! [String: Any] where v is NSNumber { numeric.insert("routes." + k) }
        let bounded = Set(ModelParameters.bounds.map(\.key))
        #expect(numeric.subtracting(bounded).isEmpty, "no bound for \(numeric.subtracting(bounded).sorted())")
        #expect(bounded.subtracting(numeric).isEmpty, "bound for a key the file lacks: \(bounded.subtracting(numeric).sorted())")
        // The defaults are inside every bound.
        try ModelParameters().validate()
    }

    @Test func theIssuesValuesAreRefusedNamingKeyValueAndRange() throws {
        // 1e12 aborted with "failed to allocate 8796093022208 bytes"; 20000000 took 9.7 GB.
        let huge = try #require(error(#"{"max_resources": 1e12}"#))
        #expect(huge.key == "max_resources")
        #expect(huge.description.contains("1000000000000") && huge.description.contains("1000…2097152"), "\(huge)")
        let large = try #require(error(#"{"max_resources": 20000000}"#))
        #expect(large.description.contains("max_resources = 20000000"), "\(large)")
        #expect(error(#"{"max_resources": 2097152}"#) == nil)
    }

    @Test func everyBoundRefusesJustOutsideItThroughTheDecoder() throws {
        for b in ModelParameters.bounds where b.key != "schema" {
            let below = b.lowerInclusive ? b.lower - (b.kind == .integer ? 1 : 0.5) : b.lower
            let above = b.upperInclusive ? b.upper + 1 : b.upper
            #expect(!b.contains(below) && !b.contains(above) && !b.contains(.infinity) && !b.contains(.nan), "\(b.key)")
            if b.lowerInclusive { #expect(b.contains(b.lower), "\(b.key)") }
            if b.upperInclusive { #expect(b.contains(b.upper), "\(b.key)") }
            for v in [below, above] {
                let value = b.kind == .integer ? "\(Int64(v))" : "\(v)"
                let path = b.key.split(separator: ".")
                let json = path.count == 2 ? #"{"routes":{"\#(path[1])":\#(value)}}"# : #"{"\#(b.key)":\#(value)}"#
                let e = error(json)
                #expect(e?.key == b.key, "\(json) → \(String(describing: e))")
                #expect(e?.description.contains(b.allowed) == true, "\(json) → \(String(describing: e))")
            }
        }
    }

    @Test func wrongTypesAndWholeNumbersNameTheKey() throws {
        let fractional = try #require(error(#"{"routes":{"max_routes": 10.5}}"#))
        #expect(fractional.key == "routes.max_routes", "\(fractional)")
        let tooBig = try #require(error(#"{"min_conflicts": 1e30}"#))
        #expect(tooBig.key == "min_conflicts", "\(tooBig)")
        let text = try #require(error(#"{"alpha": "small"}"#))
        #expect(text.key == "alpha" && text.description.contains("a number"), "\(text)")
        let notJSON = try #require(error("{max_resources: 5}"))
        #expect(notJSON.key == nil && notJSON.description.contains("JSON"), "\(notJSON)")
    }

    @Test func listsAndBaselinesAreChecked() throws {
        #expect(error(#"{"conflict_statuses": []}"#)?.key == "conflict_statuses")
        #expect(error(#"{"conflict_statuses": [409, 1000]}"#)?.description.contains("1000") == true)
        #expect(error(#"{"conflict_statuses": [409, 409]}"#)?.key == "conflict_statuses")
        #expect(error(#"{"write_methods": ["PUT", "put it\u001b[2J"]}"#)?.description.contains("\\x1b") == true)
        #expect(error(#"{"routes":{"templates": ["orders/{id}"]}}"#)?.key == "routes.templates")
        let negative = try #require(error(#"{"baselines": {"/a": {"conflicts": -1, "writes": 5, "writes_per_bucket": 1, "dispersion": 1, "calibration": 1}}}"#))
        #expect(negative.key == #"baselines["/a"].conflicts"#, "\(negative)")
        #expect(error(#"{"continue_alpha": 0.00001}"#)?.key == "continue_alpha")
        #expect(error(#"{"schema": 2}"#)?.key == "schema")
    }

    @Test func aFileErrorNamesTheFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cw-model-\(UUID().uuidString.prefix(8)).json")
        defer { try? FileManager.default.removeItem(at: path) }
        try Data(#"{"read_tracker_slots": 1073741824}"#.utf8).write(to: path)
        do {
            _ = try ModelParameters.load(contentsOf: path)
            Issue.record("accepted")
        } catch {
            #expect(error.key == "read_tracker_slots")
            #expect(error.description.hasPrefix("model file \(path.path): read_tracker_slots = 1073741824"), "\(error)")
        }
    }
}
