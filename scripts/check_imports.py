#!/usr/bin/env python3
"""Checks that each target of Package.swift declares exactly the modules its sources import.

SwiftPM's --explicit-target-dependency-import-check only looks at targets of this package reached
through no declared dependency; a module that arrives transitively (NIOCore through Hummingbird,
a sibling target through another) slips past it. This reads `swift package dump-package` and the
`import` lines of each target's folder, and fails when a target imports a module it does not
declare, or declares one it never imports.
"""
import json, os, re, subprocess, sys

# Modules of the toolchain and the platform, never declared in Package.swift.
SYSTEM = {"Foundation", "FoundationEssentials", "Glibc", "Musl", "Darwin", "Dispatch",
          "Synchronization", "Testing", "XCTest", "_Concurrency", "os"}
IMPORT = re.compile(r'^\s*(?:@\w+(?:\([^)]*\))?\s+)*import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?([A-Za-z_][A-Za-z0-9_]*)', re.M)

def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    package = json.loads(subprocess.check_output(["swift", "package", "dump-package"], cwd=root))
    problems = []
    for target in package["targets"]:
        if target["type"] == "system":
            continue
        name = target["name"]
        path = target.get("path") or os.path.join("Tests" if target["type"] == "test" else "Sources", name)
        declared = set()
        for dep in target.get("dependencies", []):
            kind, value = next(iter(dep.items()))
            declared.add(value[0])  # byName/target/product: the first element is the module name
        imported = set()
        for folder, _, files in os.walk(os.path.join(root, path)):
            for f in files:
                if f.endswith(".swift"):
                    with open(os.path.join(folder, f), encoding="utf-8") as fh:
                        imported.update(IMPORT.findall(fh.read()))
        imported -= SYSTEM
        for m in sorted(imported - declared):
            problems.append(f"{name} imports {m} without declaring it in Package.swift")
        for m in sorted(declared - imported):
            problems.append(f"{name} declares {m} but never imports it")
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"imports: {len(package['targets'])} targets declare exactly what they import")

main()
