# RCC Doctor. The two commands a newcomer needs:
#   make run    build and serve the app on http://127.0.0.1:8080
#   make test   every test: native, lint, browser unit tests, end-to-end in headless Chromium
# Both install what is missing first (scripts/setup.sh), and skip what is already there.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)
# Trunk must never download a tool: prove it on every build.
export TRUNK_OFFLINE := true
export CHROMEDRIVER := /usr/bin/chromedriver
WASM := wasm32-unknown-unknown

.PHONY: run dist test setup setup-test setup-bench test-native lint test-browser test-e2e bench size clean

run: setup
	trunk serve

# The post_build hook (Trunk.toml -> scripts/postbuild.mjs) adds the service worker, embed.js,
# the external bootstrap and the single file dist/rcc-doctor.html.
dist: setup
	trunk build --release
	@scripts/size.sh
	@gz=$$(gzip -9 -c dist/rcc-doctor.html | wc -c); raw=$$(stat -c %s dist/rcc-doctor.html); \
	  awk -v r="$$raw" -v g="$$gz" 'BEGIN { printf "single file dist/rcc-doctor.html: %.1f KiB raw, %.1f KiB gzip\n", r/1024, g/1024 }'

setup:
	@scripts/setup.sh

setup-test:
	@scripts/setup.sh --test

setup-bench:
	@scripts/setup.sh --test --bench

# --test-force-exit: once every test has run, the runner exits even if a handle is still open
# (seen once: all of offline.test.mjs passed, then the run waited on a listening socket forever).
test: setup-test
	@scripts/step.sh "format" cargo fmt --check
	@scripts/step.sh "clippy (native: core, CLI, tests)" cargo clippy --all-targets --quiet -- -D warnings
	@scripts/step.sh "clippy (browser: UI)" cargo clippy --target $(WASM) -p rcc-web --lib --bins --tests --quiet -- -D warnings
	@scripts/step.sh "native tests" cargo test
	@scripts/step.sh "browser unit tests (wasm-bindgen-test in Chromium)" cargo test --target $(WASM) -p rcc-web --test browser --test browser_diagram
	@scripts/step.sh "release build (dist/)" trunk build --release
	@scripts/step.sh "end-to-end tests (Chromium)" node --test --test-force-exit --test-concurrency=1 e2e/
	@scripts/size.sh

test-native:
	cargo test

lint:
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target $(WASM) -p rcc-web --lib --bins --tests -- -D warnings

test-browser: setup-test
	cargo test --target $(WASM) -p rcc-web --test browser --test browser_diagram

test-e2e: setup-test
	trunk build --release
	node --test --test-force-exit --test-concurrency=1 e2e/

# Benchmarks (README "Benchmarks"; they report numbers, nothing passes or fails on speed, but a
# figure that cannot be measured fails the run): the weight of the shipped wasm
# (scripts/weight.sh), native ingestion throughput (cargo bench), the in-browser benchmark on the
# release build (scripts/bench-browser.mjs: ingest, pick -> diagnosis and its stages, npm sip,
# memory, first visit), the native whole run of `rcc-doctor analyze --json` against npm sip in
# Node (scripts/bench-native.mjs), then one summary table of every figure of this run against its
# peer and goal (scripts/bench-summary.mjs: target/bench/summary.{md,json}).
# BENCH_ARGS="--sizes 10 --formats raw --runs 3 --visits 3" and BENCH_NATIVE_ARGS="--mb 50 --runs 5"
# to choose; the summary then names the issue's figures the run left out instead of failing.
bench: setup-bench dist
	rm -f target/bench/browser.json target/bench/native.json target/bench/summary.json target/bench/summary.md
	scripts/weight.sh
	cargo bench -p rcc-core --bench ingest_divan
	cargo bench -p rcc-core --bench ingest
	cargo build --release -p rcc-doctor
	node scripts/bench-browser.mjs $(BENCH_ARGS)
	node scripts/bench-native.mjs $(BENCH_NATIVE_ARGS)
	node scripts/bench-summary.mjs $(if $(strip $(BENCH_ARGS)$(BENCH_NATIVE_ARGS)),--partial)

size:
	@scripts/size.sh

clean:
	cargo clean
	rm -rf dist
