import Foundation
import Testing
@testable import ConflictWatchCore

@Suite struct JSONTextTests {
    func render(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        bytes.withUnsafeBytes { JSONText.appendString($0, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    @Test func escapesAndInvalidUTF8() throws {
        #expect(render(Array("a\"b\\c\n\u{1}".utf8)) == #""a\"b\\c\n\u0001""#)
        #expect(render(Array("Grüße 😀".utf8)) == "\"Grüße 😀\"")
        #expect(render([0x61, 0xFF, 0xC3, 0x28, 0xED, 0xA0, 0x80]) == #""a\\xFF\\xC3(\\xED\\xA0\\x80""#)
        // Whatever goes in, a JSON parser accepts what comes out.
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let junk = (0..<64).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let text = render(junk)
            #expect(throws: Never.self) { _ = try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed) }
        }
    }
}

@Suite struct ModelDefaultsTests {
    static var modelsDir: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("models")
    }

    @Test func builtInDefaultsEqualModelsDefaultJSON() throws {
        let fromFile = try ModelParameters.load(contentsOf: Self.modelsDir.appendingPathComponent("default.json"))
        #expect(fromFile == ModelParameters())
        // And the file spells out every key (no parameter left implicit).
        let raw = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.modelsDir.appendingPathComponent("default.json"))) as! [String: Any]
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(ModelParameters())) as! [String: Any]
        #expect(Set(raw.keys) == Set(encoded.keys))
        #expect(Set((raw["routes"] as! [String: Any]).keys) == Set((encoded["routes"] as! [String: Any]).keys))
    }

    @Test func partialFilesKeepDefaultsAndBadTypesFail() throws {
        let p = try ModelParameters.decode(Data(#"{"conflict_statuses":[409],"routes":{"var_threshold":10}}"#.utf8))
        #expect(p.conflictStatuses == [409])
        #expect(p.routes.varThreshold == 10)
        #expect(p.routes.maxRoutes == ModelParameters().routes.maxRoutes)
        #expect(throws: (any Error).self) { try ModelParameters.decode(Data(#"{"conflict_statuses":"409"}"#.utf8)) }
    }
}
