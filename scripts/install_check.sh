#!/usr/bin/env bash
# `make install` into a temporary DESTDIR with the given binary (the debug build: no release build
# needed), then checks each installed file does its job, and that `make uninstall` removes them.
# Usage: scripts/install_check.sh /abs/path/to/conflictwatch   (after `make man`)
set -euo pipefail
BIN=${1:?usage: install_check.sh BINARY}
cd "$(dirname "$0")/.."
DEST=$(mktemp -d)
trap 'rm -rf "$DEST"' EXIT
# Not the default, so the check sees the unit rewritten to the prefix.
PREFIX=/opt/conflictwatch
fail() { echo "install check: $*" >&2; exit 1; }

make --no-print-directory install DESTDIR="$DEST" PREFIX="$PREFIX" BIN="$BIN" >/dev/null

root=$DEST$PREFIX
for f in "$root/bin/conflictwatch" "$root/share/man/man1/conflictwatch.1" "$root/lib/systemd/system/conflictwatch.service" \
         "$root/share/bash-completion/completions/conflictwatch" "$root/share/zsh/site-functions/_conflictwatch" \
         "$root/share/fish/vendor_completions.d/conflictwatch.fish" "$root/share/doc/conflictwatch/config.example.yaml" \
         "$DEST/etc/conflictwatch/config.yaml"; do
  [ -s "$f" ] || fail "missing or empty: ${f#$DEST}"
done
[ -x "$root/bin/conflictwatch" ] || fail "the binary is not executable"
"$root/bin/conflictwatch" --version >/dev/null || fail "the installed binary does not run"

# The man page: a section-1 page for conflictwatch that renders, subcommands included.
head -n 20 "$root/share/man/man1/conflictwatch.1" | grep -q '^\.Dt CONFLICTWATCH 1\|^\.TH "\?CONFLICTWATCH"\? "\?1' \
  || fail "the man page has no section-1 title (.Dt/.TH)"
rendered=$(MANWIDTH=100 man -l "$root/share/man/man1/conflictwatch.1" 2>/dev/null | col -b || true)
if [ -z "$rendered" ]; then rendered=$(groff -mandoc -Tutf8 "$root/share/man/man1/conflictwatch.1" 2>/dev/null | col -b); fi
grep -q "conflictwatch" <<<"$rendered" || fail "the man page does not render"
grep -q "analyze" <<<"$rendered" || fail "the man page does not document the analyze subcommand"

# Completions mention subcommands.
for f in "$root/share/bash-completion/completions/conflictwatch" "$root/share/zsh/site-functions/_conflictwatch" \
         "$root/share/fish/vendor_completions.d/conflictwatch.fish"; do
  grep -q "analyze" "$f" && grep -q "alerts" "$f" || fail "${f#$DEST}: no subcommand in the completions"
done
bash -n "$root/share/bash-completion/completions/conflictwatch" || fail "the bash completions do not parse"

# The unit runs the installed binary with the installed config.
unit="$root/lib/systemd/system/conflictwatch.service"
grep -q "^ExecStart=$PREFIX/bin/conflictwatch run --config /etc/conflictwatch/config.yaml$" "$unit" || fail "ExecStart does not name the installed paths"
if command -v systemd-analyze >/dev/null; then
  # verify resolves ExecStart on the real root, so a copy outside DESTDIR points at the staged binary.
  scratch=$(mktemp -d)
  sed "s|^ExecStart=$PREFIX/bin/conflictwatch|ExecStart=$root/bin/conflictwatch|" "$unit" > "$scratch/conflictwatch.service"
  out=$(systemd-analyze verify "$scratch/conflictwatch.service" 2>&1 || true)
  rm -rf "$scratch"
  # Only problems with the unit's own syntax count; a missing user or no running systemd (a
  # container, a build machine) says nothing about the file.
  if grep -qi "unknown key\|unknown section\|failed to parse\|invalid" <<<"$out"; then
    fail "systemd-analyze verify: $out"
  fi
fi

# The config: listen on loopback, uncommented, and `config check` accepts it.
grep -q '^listen: 127\.0\.0\.1:9409$' "$DEST/etc/conflictwatch/config.yaml" || fail "the config does not listen on 127.0.0.1:9409"
check=$("$root/bin/conflictwatch" config check "$DEST/etc/conflictwatch/config.yaml") || fail "config check failed: $check"
grep -q "API on 127.0.0.1:9409" <<<"$check" || fail "config check does not see the API: $check"

# A second install keeps an operator's config.
echo "# edited" >> "$DEST/etc/conflictwatch/config.yaml"
make --no-print-directory install DESTDIR="$DEST" PREFIX="$PREFIX" BIN="$BIN" >/dev/null
grep -q "^# edited" "$DEST/etc/conflictwatch/config.yaml" || fail "install overwrote an edited config"

# Uninstall removes every file but the edited config.
make --no-print-directory uninstall DESTDIR="$DEST" PREFIX="$PREFIX" >/dev/null
left=$(cd "$DEST" && find . -type f | sort)
[ "$left" = "./etc/conflictwatch/config.yaml" ] || fail "uninstall left: $left"
make --no-print-directory uninstall DESTDIR="$DEST" PREFIX="$PREFIX" >/dev/null
grep -q "^# edited" "$DEST/etc/conflictwatch/config.yaml" || fail "uninstall removed an edited config"
echo "install check: ok (binary, man page, unit, 3 completions, config; uninstall)"
