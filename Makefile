# conflictwatch — the two commands a newcomer needs are `make demo` and `make test`.
SWIFT      ?= swift
CORPUS_DIR ?= $(abspath ../shared/corpus)
BIN_DEBUG   = .build/debug/conflictwatch
BIN_RELEASE = .build/release/conflictwatch
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build release demo test imports lint docs corpus bench quality fuzz fuzz-build deps test-deps clean man install uninstall install-check

all: build

# libpcap-dev (and zlib1g-dev) are needed to build at all; install them only when missing.
deps:
	@if ! pkg-config --exists libpcap zlib 2>/dev/null; then \
	  echo "installing libpcap-dev zlib1g-dev pkg-config (apt-get)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libpcap-dev zlib1g-dev pkg-config; \
	fi

# Tools the integration tests drive for real: nginx writes the logs, curl and python3 (a versioned
# test backend and racing clients) send the requests, tcpdump captures them, logrotate rotates
# the daemon's logs, chromium (headless) loads the dashboard and the report; man (man-db) and
# col (bsdextrautils) render the installed man page in the install check; postgresql (initdb and
# pg_ctl, off PATH in /usr/lib/postgresql/N/bin, and psql) runs the fleet tests' throwaway server,
# openssl makes its certificate for the TLS tests.
test-deps: deps
	@missing=""; \
	command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	command -v curl >/dev/null 2>&1 || missing="$$missing curl"; \
	command -v python3 >/dev/null 2>&1 || missing="$$missing python3"; \
	command -v tcpdump >/dev/null 2>&1 || [ -x /usr/bin/tcpdump ] || [ -x /usr/sbin/tcpdump ] || missing="$$missing tcpdump"; \
	command -v logrotate >/dev/null 2>&1 || [ -x /usr/sbin/logrotate ] || missing="$$missing logrotate"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v man >/dev/null 2>&1 || missing="$$missing man-db"; \
	command -v col >/dev/null 2>&1 || missing="$$missing bsdextrautils"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v openssl >/dev/null 2>&1 || missing="$$missing openssl"; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing (apt-get)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# Debug builds are strict: a warning is an error, and a target importing a sibling it does not
# declare fails (SwiftPM's own check; `make imports` covers what it misses). The same flags for `build`
# (corpus, docs), the test build and both `swift test` runs, so none of them redoes the build.
STRICT_FLAGS = -Xswiftc -warnings-as-errors --explicit-target-dependency-import-check error

build: deps
	$(SWIFT) build $(STRICT_FLAGS)

release: deps
	$(SWIFT) build -c release

demo: release
	$(BIN_RELEASE) demo

# Unit tests run in parallel; the integration tests (real nginx, racing clients, captures) one
# at a time, so their timing does not depend on what else the two cores are doing.
# Each run gets a throwaway PostgreSQL: the fleet tests need a real one, never a mock (scripts/with_postgres.sh).
test: test-deps imports lint
	$(SWIFT) build --build-tests $(STRICT_FLAGS)
	CONFLICTWATCH_BIN=$(abspath $(BIN_DEBUG)) bash scripts/with_postgres.sh $(SWIFT) test $(STRICT_FLAGS) --skip IntegrationTests
	CONFLICTWATCH_BIN=$(abspath $(BIN_DEBUG)) bash scripts/with_postgres.sh $(SWIFT) test $(STRICT_FLAGS) --filter IntegrationTests --no-parallel
	$(MAKE) install-check

# Each target declares exactly the modules it imports (scripts/check_imports.py says why SwiftPM's
# own check is not enough).
imports:
	python3 scripts/check_imports.py

# swift-format's rules over Sources, Tests and Package.swift (.swift-format; scripts/lint.sh).
# The configuration matches the tree as written: 4-space indentation, 140 columns, #if blocks
# not indented. Layout findings (indentation, line breaks, line length, spacing) are not
# enforced: swift-format cannot turn them off and the tree is formatted by hand (see the script).
# Rules switched off in .swift-format, each because the tree uses the construct on purpose:
#   DoNotUseSemicolons, OneVariableDeclarationPerLine - one-line records (`{ var a: A; var b: B }`)
#     and paired reads (`let hash = try r.u64(), resource = try r.string()`);
#   OneCasePerLine - `case a, b, c` enums; AlwaysUseLowerCamelCase - names that mirror SQL
#     columns and JSON keys; ReplaceForEachWithForLoop - ExchangeBatch and the route tables have
#     `forEach` methods of their own (borrowed views, not Sequences), which the rule mistakes;
#   OnlyOneTrailingClosureArgument - `run(path:progress:) { line in ... }`, a progress closure and
#     the body; AvoidRetroactiveConformances - ArgumentParser conformances (`@retroactive`).
lint:
	SWIFT=$(SWIFT) bash scripts/lint.sh

# docs/commands.md is the binary's own --help as a page (DocsTests fails when it is stale).
docs: build
	python3 scripts/commands_doc.py $(BIN_DEBUG) > docs/commands.md

# Third-party access logs and captures, read in place from ../shared/corpus.
corpus: build
	CORPUS_DIR=$(CORPUS_DIR) CONFLICTWATCH_BIN=$(abspath $(BIN_DEBUG)) python3 scripts/corpus_check.py
	CORPUS_DIR=$(CORPUS_DIR) CONFLICTWATCH_BIN=$(abspath $(BIN_DEBUG)) python3 scripts/corpus_pcaps.py

# Every figure of SPEC §11 in one run (Benchmarks/README.md): analyze on combined, JSON and custom
# log_format logs of the same traffic beside wc -l and a C floor, pcap, the tail daemon, memory; then
# one summary table, also written to $(BENCH_DIR)/summary.md. BENCH_STRICT=1: exit 1 on a missed target.
BENCH_DIR ?= $(abspath .build/bench)

bench: release
	BENCH_DIR=$(BENCH_DIR) CONFLICTWATCH_BIN=$(abspath $(BIN_RELEASE)) bash Benchmarks/bench.sh

# The model's quality bar at full length (every scenario, several seeds): see scripts/quality.sh.
quality: release
	CONFLICTWATCH_BIN=$(abspath $(BIN_RELEASE)) bash scripts/quality.sh

# libFuzzer + AddressSanitizer harnesses for every parser and decoder (Fuzz/, docs/fuzzing.md):
# each target runs FUZZ_SECONDS; a crash, hang or out-of-memory fails the target and the step.
# FUZZ_TARGETS picks some ("http packets"), FUZZ_JOBS how many run at once (default: the cores).
FUZZ_SECONDS ?= 60
FUZZ_BIN      = Fuzz/.build/debug/conflictwatch-fuzz

fuzz-build: deps
	@# The same dependency versions as the main build when it has resolved them.
	@if [ -f Package.resolved ] && [ ! -f Fuzz/Package.resolved ]; then cp Package.resolved Fuzz/Package.resolved; fi
	cd Fuzz && $(SWIFT) build -Xswiftc -sanitize=fuzzer,address -Xswiftc -O

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) CORPUS_DIR=$(CORPUS_DIR) FUZZ_BIN=$(abspath $(FUZZ_BIN)) bash Fuzz/run.sh

# Install (docs/install.md). `make release` first as yourself, then `sudo make install`: nothing
# here builds, so root never writes into .build. BIN picks another binary (the install check
# uses the debug one), DESTDIR stages into a directory for packaging.
PREFIX     ?= /usr/local
DESTDIR    ?=
BIN        ?= $(BIN_RELEASE)
SYSCONFDIR ?= /etc
BINDIR      = $(PREFIX)/bin
MANDIR      = $(PREFIX)/share/man
DOCDIR      = $(PREFIX)/share/doc/conflictwatch
# systemd reads administrator-installed units from /usr/local/lib/systemd/system too.
UNITDIR    ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  = $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR = $(PREFIX)/share/fish/vendor_completions.d
# swift-argument-parser's GenerateManual plugin builds the package in MAN_CONFIGURATION and writes
# the page into its own work directory.
MAN_CONFIGURATION ?= release
MAN_PAGE = .build/plugins/GenerateManual/outputs/conflictwatch/conflictwatch.1

man:
	$(SWIFT) package plugin generate-manual --configuration $(MAN_CONFIGURATION)
	@test -s $(MAN_PAGE) || { echo "generate-manual wrote no $(MAN_PAGE)"; exit 1; }

install:
	@test -x $(BIN) || { echo "no binary at $(BIN): run 'make release' first (or pass BIN=...)"; exit 1; }
	@test -s $(MAN_PAGE) || { echo "no man page at $(MAN_PAGE): run 'make man' first"; exit 1; }
	install -D -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/conflictwatch
	@# A blank line in a help text is a paragraph break, which mdoc spells .Pp (man warns otherwise).
	install -d $(DESTDIR)$(MANDIR)/man1
	sed 's/^$$/.Pp/' $(MAN_PAGE) > $(DESTDIR)$(MANDIR)/man1/conflictwatch.1
	chmod 0644 $(DESTDIR)$(MANDIR)/man1/conflictwatch.1
	@# The unit names the binary and the config where this install puts them.
	install -d $(DESTDIR)$(UNITDIR)
	sed -e 's|/usr/local/bin/conflictwatch|$(BINDIR)/conflictwatch|' \
	    -e 's|/etc/conflictwatch/config.yaml|$(SYSCONFDIR)/conflictwatch/config.yaml|' \
	    deploy/conflictwatch.service > $(DESTDIR)$(UNITDIR)/conflictwatch.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/conflictwatch.service
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR) $(DESTDIR)$(DOCDIR)
	$(BIN) --generate-completion-script bash > $(DESTDIR)$(BASHCOMPDIR)/conflictwatch
	$(BIN) --generate-completion-script zsh > $(DESTDIR)$(ZSHCOMPDIR)/_conflictwatch
	$(BIN) --generate-completion-script fish > $(DESTDIR)$(FISHCOMPDIR)/conflictwatch.fish
	$(BIN) config example > $(DESTDIR)$(DOCDIR)/config.example.yaml
	@# An operator's config is never overwritten; the example stays in $(DOCDIR).
	install -d $(DESTDIR)$(SYSCONFDIR)/conflictwatch
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/conflictwatch/config.yaml ]; then \
	  echo "kept $(DESTDIR)$(SYSCONFDIR)/conflictwatch/config.yaml (the new example is $(DESTDIR)$(DOCDIR)/config.example.yaml)"; \
	else \
	  install -m 0644 $(DESTDIR)$(DOCDIR)/config.example.yaml $(DESTDIR)$(SYSCONFDIR)/conflictwatch/config.yaml; \
	fi

# Removes what install wrote; the config only when it is still the example, never the state
# directory (/var/lib/conflictwatch holds the store).
uninstall:
	@if cmp -s $(DESTDIR)$(SYSCONFDIR)/conflictwatch/config.yaml $(DESTDIR)$(DOCDIR)/config.example.yaml; then \
	  rm -f $(DESTDIR)$(SYSCONFDIR)/conflictwatch/config.yaml; rmdir $(DESTDIR)$(SYSCONFDIR)/conflictwatch 2>/dev/null || true; \
	elif [ -e $(DESTDIR)$(SYSCONFDIR)/conflictwatch/config.yaml ]; then \
	  echo "kept $(DESTDIR)$(SYSCONFDIR)/conflictwatch/config.yaml (changed from the example)"; \
	fi
	rm -f $(DESTDIR)$(BINDIR)/conflictwatch $(DESTDIR)$(MANDIR)/man1/conflictwatch.1 \
	      $(DESTDIR)$(UNITDIR)/conflictwatch.service $(DESTDIR)$(BASHCOMPDIR)/conflictwatch \
	      $(DESTDIR)$(ZSHCOMPDIR)/_conflictwatch $(DESTDIR)$(FISHCOMPDIR)/conflictwatch.fish \
	      $(DESTDIR)$(DOCDIR)/config.example.yaml
	@rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null || true

# Installs the debug binary into a temporary DESTDIR and checks every file (scripts/install_check.sh).
install-check:
	$(MAKE) man MAN_CONFIGURATION=debug
	bash scripts/install_check.sh $(abspath $(BIN_DEBUG))

clean:
	rm -rf .build Fuzz/.build
