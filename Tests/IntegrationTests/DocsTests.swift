import Foundation
import Testing

/// The documentation holds together: the README stays short enough to read, and every link in
/// it and in docs/ points at a file (and heading) of this repository — none leaves it.
@Suite struct DocsTests {
    /// The repository root, found from this file (Tests/IntegrationTests/DocsTests.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().standardizedFileURL

    static func text(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    static var pages: [URL] {
        let docs = root.appendingPathComponent("docs")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: docs.path)) ?? []
        return [root.appendingPathComponent("README.md")]
            + names.filter { $0.hasSuffix(".md") }.sorted().map { docs.appendingPathComponent($0) }
    }

    /// Markdown link targets outside code (fenced blocks and inline code spans are skipped).
    static func links(_ markdown: String) -> [String] {
        var out: [String] = []
        var fenced = false
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") { fenced.toggle(); continue }
            if fenced { continue }
            let prose = line.replacing(/`[^`]*`/, with: "")
            out += prose.matches(of: /\]\(([^)\s]+)\)/).map { String($0.output.1) }
            out += prose.matches(of: /<(https?:[^>\s]+)>/).map { String($0.output.1) }
        }
        return out
    }

    /// GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens.
    static func anchors(_ markdown: String) -> Set<String> {
        var out: Set<String> = []
        var fenced = false
        for line in markdown.split(separator: "\n") {
            if line.hasPrefix("```") { fenced.toggle(); continue }
            guard !fenced, line.hasPrefix("#") else { continue }
            let title = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces).lowercased()
            let kept = title.filter { $0.isLetter || $0.isNumber || $0 == " " || $0 == "-" || $0 == "_" }
            out.insert(kept.replacingOccurrences(of: " ", with: "-"))
        }
        return out
    }

    @Test func readmeIsAtMostThreeHundredLines() throws {
        let lines = try Self.text(Self.root.appendingPathComponent("README.md")).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count <= 300, "README.md has \(lines.count) lines; move reference material into docs/")
    }

    @Test func everyLinkStaysInTheRepositoryAndResolves() throws {
        let pages = Self.pages
        #expect(pages.count >= 10, "\(pages.map(\.lastPathComponent))")
        var checked = 0
        for page in pages {
            let name = page.path.replacingOccurrences(of: Self.root.path + "/", with: "")
            for link in Self.links(try Self.text(page)) {
                checked += 1
                #expect(!link.hasPrefix("http:") && !link.hasPrefix("https:") && !link.contains("://"),
                        "\(name): \(link) leaves the repository (cite the spec by section, e.g. SPEC §6)")
                if link.hasPrefix("mailto:") || link.contains("://") { continue }
                let parts = link.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
                let file = parts[0].isEmpty ? page : page.deletingLastPathComponent().appendingPathComponent(String(parts[0])).standardizedFileURL
                #expect(file.path.hasPrefix(Self.root.path + "/"), "\(name): \(link) points outside the repository")
                #expect(FileManager.default.fileExists(atPath: file.path), "\(name): \(link) points at a missing file")
                if parts.count == 2, file.pathExtension == "md", let target = try? Self.text(file) {
                    #expect(Self.anchors(target).contains(String(parts[1])), "\(name): \(link): no such heading")
                }
            }
        }
        #expect(checked >= 50, "only \(checked) links found: the link detection is broken")
    }

    /// docs/commands.md is generated from the binary's --help (`make docs`): it must say what
    /// this binary accepts.
    @Test func commandsPageMatchesTheBinary() throws {
        let script = Self.root.appendingPathComponent("scripts/commands_doc.py").path
        let r = try ProcessRunner.run("/usr/bin/env", ["python3", script, TestEnvironment.conflictwatchBinary], timeout: 120)
        #expect(r.succeeded, "\(r.summary)")
        let page = try Self.text(Self.root.appendingPathComponent("docs/commands.md"))
        #expect(r.stdoutText == page, "docs/commands.md differs from the binary's --help: run `make docs`")
    }
}
