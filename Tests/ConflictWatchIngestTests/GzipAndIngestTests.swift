import ConflictWatchCore
import Foundation
import Testing
@testable import ConflictWatchIngest

@Suite struct GzipAndIngestTests {
    func temp(_ name: String) -> String {
        NSTemporaryDirectory() + "cw-ingest-\(getpid())-\(name)"
    }

    func gzip(_ text: String) throws -> [UInt8] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-c"]
        let inPipe = Pipe(), outPipe = Pipe()
        p.standardInput = inPipe
        p.standardOutput = outPipe
        try p.run()
        inPipe.fileHandleForWriting.write(Data(text.utf8))
        try inPipe.fileHandleForWriting.close()
        let data = outPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return [UInt8](data)
    }

    static let lines = (0..<500).map { i in
        #"10.0.0.\#(i % 200) - - [10/Oct/2000:13:55:36 -0700] "PUT /api/orders/\#(i) HTTP/1.1" \#(i % 7 == 0 ? 409 : 200) 5 "-" "ua""#
    }

    @Test func gzipMembersAreConcatenated() throws {
        let a = Self.lines[0..<250].joined(separator: "\n") + "\n"
        let b = Self.lines[250...].joined(separator: "\n") + "\n"
        let path = temp("multi.gz")
        #expect(FileManager.default.createFile(atPath: path, contents: Data(try gzip(a) + gzip(b))))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var routes = 0
        let report = SourceIngestor(format: .auto).run(path: path) { _, _ in routes += 1 }
        #expect(report.error == nil)
        #expect(report.exchanges == 500)
        #expect(routes == 500)
    }

    @Test func truncatedGzipKeepsTheLinesBeforeTheCut() throws {
        let full = try gzip(Self.lines.joined(separator: "\n") + "\n")
        let path = temp("cut.gz")
        #expect(FileManager.default.createFile(atPath: path, contents: Data(full[0..<(full.count / 2)])))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let report = SourceIngestor(format: .auto).run(path: path) { _, _ in }
        #expect(report.error?.contains("truncated") == true)
        #expect(report.exchanges > 100)
        #expect(report.exchanges < 500)
    }

    @Test func corruptGzipIsAnErrorNotACrash() throws {
        var bytes = try gzip(Self.lines.joined(separator: "\n"))
        for i in stride(from: 20, to: bytes.count - 8, by: 17) { bytes[i] ^= 0x5A }
        let path = temp("corrupt.gz")
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let report = SourceIngestor(format: .auto).run(path: path) { _, _ in }
        #expect(report.error != nil)
    }

    @Test func malformedLinesAreCountedAndSampled() throws {
        var text = ""
        for i in 0..<30 { text += (i % 2 == 0 ? Self.lines[i] : "garbage line \(i)") + "\n" }
        text += "\n   \n"
        let path = temp("mixed.log")
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let report = SourceIngestor(format: .combined).run(path: path) { _, _ in }
        #expect(report.lines == 32)
        #expect(report.blank == 2)
        #expect(report.exchanges == 15)
        #expect(report.malformed == 15)
        #expect(report.samples.count == SourceReport.maxSamples)
        #expect(report.samples.first?.line == 2)
        #expect(report.samples.first?.text == "garbage line 1")
    }

    @Test func randomBytesNeverCrash() throws {
        var rng = SystemRandomNumberGenerator()
        var data = [UInt8]()
        for _ in 0..<200_000 { data.append(UInt8.random(in: 0...255, using: &rng)) }
        // Sprinkle structure so some lines get deep into the parsers.
        let seed = Array(Self.lines[0].utf8)
        for k in stride(from: 0, to: data.count - seed.count, by: 997) {
            let cut = Int.random(in: 10..<seed.count, using: &rng)
            data.replaceSubrange(k..<(k + cut), with: seed[0..<cut])
            data[k + cut - 1] = 0x0A
        }
        for format in [LogFormat.auto, .json, .combined] {
            let path = temp("random-\(format).log")
            #expect(FileManager.default.createFile(atPath: path, contents: Data(data)))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let report = SourceIngestor(format: format, maxLineLength: 4096).run(path: path) { _, _ in }
            #expect(report.lines > 0)
            #expect(report.exchanges + report.malformed + report.blank == report.lines)
        }
    }

    @Test func pcapIsRecognisedByMagic() throws {
        #expect(InputOpener.sniff([0xD4, 0xC3, 0xB2, 0xA1]) == .pcap)
        #expect(InputOpener.sniff([0x0A, 0x0D, 0x0D, 0x0A]) == .pcapng)
        #expect(InputOpener.sniff([0x1F, 0x8B, 8, 0]) == .gzip)
        #expect(InputOpener.sniff(Array("1.2.".utf8)) == .text)
    }
}
