# conflictwatch — the two commands a newcomer needs are `make demo` and `make test`.
SWIFT      ?= swift
CORPUS_DIR ?= $(abspath ../shared/corpus)
BIN_DEBUG   = .build/debug/conflictwatch
BIN_RELEASE = .build/release/conflictwatch
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build release demo test imports docs corpus bench quality fuzz fuzz-build deps test-deps clean

all: build

# libpcap-dev (and zlib1g-dev) are needed to build at all; install them only when missing.
deps:
	@if ! pkg-config --exists libpcap zlib 2>/dev/null; then \
	  echo "installing libpcap-dev zlib1g-dev pkg-config (apt-get)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libpcap-dev zlib1g-dev pkg-config; \
	fi

# Tools the integration tests drive for real: nginx writes the logs, curl and python3 (a versioned
# test backend and racing clients) send the requests, tcpdump captures them, logrotate rotates
# the daemon's logs, chromium (headless) loads the dashboard and the report.
test-deps: deps
	@missing=""; \
	command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	command -v curl >/dev/null 2>&1 || missing="$$missing curl"; \
	command -v python3 >/dev/null 2>&1 || missing="$$missing python3"; \
	command -v tcpdump >/dev/null 2>&1 || [ -x /usr/bin/tcpdump ] || [ -x /usr/sbin/tcpdump ] || missing="$$missing tcpdump"; \
	command -v logrotate >/dev/null 2>&1 || [ -x /usr/sbin/logrotate ] || missing="$$missing logrotate"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing (apt-get)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

demo: release
	$(BIN_RELEASE) demo

# Unit tests run in parallel; the integration tests (real nginx, racing clients, captures) one
# at a time, so their timing does not depend on what else the two cores are doing.
test: test-deps imports
	$(SWIFT) build --build-tests
	CONFLICTWATCH_BIN=$(abspath $(BIN_DEBUG)) $(SWIFT) test --skip IntegrationTests
	CONFLICTWATCH_BIN=$(abspath $(BIN_DEBUG)) $(SWIFT) test --filter IntegrationTests --no-parallel

# Each target declares exactly the modules it imports (scripts/check_imports.py says why SwiftPM's
# own check is not enough).
imports:
	python3 scripts/check_imports.py

# docs/commands.md is the binary's own --help as a page (DocsTests fails when it is stale).
docs: build
	python3 scripts/commands_doc.py $(BIN_DEBUG) > docs/commands.md

# Third-party access logs and captures, read in place from ../shared/corpus.
corpus: build
	CORPUS_DIR=$(CORPUS_DIR) CONFLICTWATCH_BIN=$(abspath $(BIN_DEBUG)) python3 scripts/corpus_check.py
	CORPUS_DIR=$(CORPUS_DIR) CONFLICTWATCH_BIN=$(abspath $(BIN_DEBUG)) python3 scripts/corpus_pcaps.py

bench: release
	CONFLICTWATCH_BIN=$(abspath $(BIN_RELEASE)) bash Benchmarks/run.sh
	CONFLICTWATCH_BIN=$(abspath $(BIN_RELEASE)) bash Benchmarks/pcap_bench.sh
	CONFLICTWATCH_BIN=$(abspath $(BIN_RELEASE)) bash Benchmarks/daemon_bench.sh

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

clean:
	rm -rf .build Fuzz/.build
