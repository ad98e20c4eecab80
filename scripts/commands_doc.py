#!/usr/bin/env python3
"""Writes docs/commands.md from the binary's own --help, so the reference of every command and
flag cannot drift from what the binary accepts.

    python3 scripts/commands_doc.py .build/debug/conflictwatch > docs/commands.md   (make docs)

Every command is found from the SUBCOMMANDS sections of the help (a new command is picked up
without editing this script). Tests/IntegrationTests/DocsTests.swift regenerates the page with
the binary under test and fails when docs/commands.md differs.
"""
import os
import re
import subprocess
import sys

PREAMBLE = """# Commands

Every command and flag of `conflictwatch`, generated from the binary's own `--help` by
`scripts/commands_doc.py` (`make docs`; a test fails when this page and the binary disagree).
`conflictwatch COMMAND --help` prints the same, and the README shows the three ways to use them
together.

**Output.** Human output goes to stdout as aligned tables (times UTC, with `Z`; a legend under
each table, see [alerts.md](alerts.md#tables)); `--format json` gives the SPEC §6 shapes
([alerts.md](alerts.md)), `jsonl` a stream where offered, `csv` for the query commands.
Diagnostics and the progress bar go to stderr (the bar only on a terminal; `--quiet` prints only
errors, `--verbose` per-source details). Every command also takes `-h`/`--help` and `--version`.

**Exit codes.** 0 success; 1 runtime failure (an unreadable file — the other files are still
analysed —, a store that cannot be opened, a daemon that failed); 2 usage error (a bad flag, a
model or config value out of range, naming the key; an API listening off loopback without a
token); 3 input failed `--strict` (`analyze`, `parse`, `evaluate`: a malformed line was seen).

**Where the query commands read.** `alerts`, `hotspots`, `routes` and `report` read the embedded
store in `--state-dir` (default `$XDG_STATE_HOME/conflictwatch`, else
`~/.local/state/conflictwatch`; `/var/lib/conflictwatch` for the service) — safely while a daemon
writes it — or, with `--server URL`, a running daemon's API (same output, byte for byte), or, with
`--database-url URL`, a fleet's PostgreSQL ([fleet.md](fleet.md)).
`--since`/`--until` take a span back from now (`90s`, `30m`, `1h`, `7d`) or an RFC 3339 time, in
traffic time.
"""

EXAMPLE_HEADERS = re.compile(r"^(Examples?|From another shell|Example config):$")


def help_text(binary, path):
    env = dict(os.environ, COLUMNS="1000")
    out = subprocess.run([binary, *path, "--help"], capture_output=True, text=True, env=env, check=True)
    return out.stdout


def sections(text):
    """{'OVERVIEW': [...lines], 'USAGE': [...], 'OPTIONS': [...], ...}"""
    out, current = {}, None
    for line in text.split("\n"):
        m = re.match(r"^([A-Z][A-Z ]+):(?: (.*))?$", line)
        if m:
            current = m.group(1)
            out[current] = [m.group(2)] if m.group(2) else []
        elif current:
            out[current].append(line)
    return out


def subcommands(sec):
    names = []
    for line in sec.get("SUBCOMMANDS", []):
        if not line.startswith("  ") or line.startswith("   "):
            continue
        name = line.split()[0]
        if name != "help" and not line.strip().startswith("See "):
            names.append(name)
    return names


def discussion_markdown(lines):
    """The overview after the abstract: prose as paragraphs, example blocks as sh code."""
    out, para, block, block_kind = [], [], [], None

    def flush_para():
        if para:
            out.append(" ".join(para))
            out.append("")
            para.clear()

    def flush_block():
        nonlocal block_kind
        if block:
            out.append("```" + ("sh" if block_kind == "sh" else "text"))
            out.extend(block)
            out.append("```")
            out.append("")
            block.clear()
        block_kind = None

    for line in lines:
        if not line.strip():
            flush_para()
            flush_block()
            continue
        if line.startswith("  "):
            flush_para()
            if block_kind is None:
                block_kind = "text"
            block.append(line[2:])
            continue
        flush_block()
        if EXAMPLE_HEADERS.match(line.strip()):
            flush_para()
            out.append(line.strip())
            out.append("")
            block_kind = "sh"
            continue
        para.append(line.strip())
    flush_para()
    flush_block()
    return out


def flag_rows(lines):
    rows = []
    for line in lines:
        if not line.startswith("  ") or line.startswith("      "):
            if rows and line.strip():
                rows[-1][1] = (rows[-1][1] + " " + line.strip()).strip()
            continue
        # "-x, --name <value> ..." then the help; a long name may leave a single space before it.
        m = re.match(r"^((?:-\w, )?-{1,2}[\w-]+(?: <[^>]+>)?(?: \.\.\.)?|<[^>]+>(?: \.\.\.)?)(?:\s+(.*))?$", line.strip())
        name, text = (m.group(1), m.group(2) or "") if m else (line.strip(), "")
        rows.append([name, text])
    out = []
    for name, text in rows:
        if name in ("--version", "-h, --help"):
            continue
        default = ""
        m = re.search(r"\s*\((?:values: ([^;]*); )?default: (.*)\)$", text)
        if m:
            values = m.group(1)
            shown = values and values.split(", ")[0] in text[: m.start()]
            default, text = m.group(2), text[: m.start()] + (f" (one of: {values})" if values and not shown else "")
        else:
            m = re.search(r"\s*\(values: (.*)\)$", text)
            if m:
                shown = m.group(1).split(", ")[0] in text[: m.start()]
                text = text[: m.start()] + ("" if shown else f" (one of: {m.group(1)})")
        cell = lambda s: s.replace("|", "\\|")
        out.append(f"| `{cell(name)}` | {cell(text)} | {('`' + cell(default) + '`') if default else ''} |")
    return out


def page(binary):
    lines = [PREAMBLE]
    # Depth first, so a command's subcommands follow it.
    stack, seen = [[]], []
    while stack:
        path = stack.pop()
        seen.append(path)
        sec = sections(help_text(binary, path))
        stack.extend(reversed([path + [n] for n in subcommands(sec)]))
    for path in seen:
        sec = sections(help_text(binary, path))
        title = "conflictwatch" + "".join(" " + p for p in path)
        lines.append(f"## `{title}`\n" if path else "## `conflictwatch` (the top level)\n")
        overview = sec.get("OVERVIEW", [])
        if overview:
            lines.append(overview[0].strip() + "\n")
            lines.extend(discussion_markdown(overview[1:]))
        usage = [u.strip() for u in sec.get("USAGE", []) if u.strip()]
        if usage:
            lines.append("```text")
            lines.extend(usage)
            lines.append("```\n")
        rows = flag_rows(sec.get("ARGUMENTS", [])) + flag_rows(sec.get("OPTIONS", []))
        if rows:
            lines.append("| argument or flag | meaning | default |")
            lines.append("| --- | --- | --- |")
            lines.extend(rows)
            lines.append("")
        subs = subcommands(sec)
        if subs:
            lines.append("Subcommands: " + ", ".join(f"`{title} {s}`" for s in subs) + ".\n")
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: commands_doc.py PATH/TO/conflictwatch > docs/commands.md")
    sys.stdout.write(page(sys.argv[1]))
