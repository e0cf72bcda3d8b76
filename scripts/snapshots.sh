#!/bin/bash
# usage: scripts/snapshots.sh OUTDIR   (from the project root)
# For refactorings that must not change what the analysis says: run it before and after, then
# `diff -r BEFORE AFTER`. Builds the snapshot example (release) and writes one file per case.
# SNAPSHOT_ARGS=--worker analyses each case the worker's way (grades and ladder later): the same.
# Every case the repo and ../shared hold, through analysis::analyze: summary + ladder + raw rows.
set -e
OUT=$1; rm -rf "$OUT"; mkdir -p "$OUT"
cargo build -q --release --example snapshot -p rcc-core
BIN=target/release/examples/snapshot
SH=$(cd ../shared 2>/dev/null && pwd || echo /work/shared)
run() { local name=$1; shift; $BIN $SNAPSHOT_ARGS "$@" > "$OUT/$name" 2>&1 || echo "rc=$?" >> "$OUT/$name"; }
for d in fixtures/scenarios/*/ fixtures/cases/*/; do
  [ -f "$d/expected.toml" ] || continue
  name=$(basename $(dirname $d))__$(basename $d)
  profile=$(sed -n 's/^profile *= *"\(.*\)".*/\1/p' $d/expected.toml | head -1)
  signin=$(sed -n 's/^sign_in *= *"\(.*\)".*/\1/p' $d/expected.toml | head -1)
  args=(); logs=()
  [ -n "$profile" ] && args+=(--profile "$profile")
  [ -n "$signin" ] && args+=(--sign-in "$signin")
  for f in $(ls $d | sort); do
    case $f in expected.toml|*.md) ;; ad.*) args+=(--ad $d$f);; rules.*) args+=(--routes $d$f);; *) logs+=($d$f);; esac
  done
  run "$name" "${args[@]}" "${logs[@]}"
  run "$name-logsonly" "${logs[@]}"
  run "$name-redact" --redact "${args[@]}" "${logs[@]}"
  for l in "${logs[@]}"; do run "$name-only-$(basename $l)" "${args[@]}" "$l"; done
done
for f in fixtures/logs/* fixtures/real-logs/* $SH/real-logs/* $SH/sip-torture/*/*; do
  [ -f "$f" ] || continue
  run "file__$(echo $f | tr '/' '_')" "$f"
done
SYNTH=target/snapshots/synth
[ -d $SYNTH ] || cargo run -q --release --example gen_logs -p rcc-core -- $SYNTH 1 >/dev/null
for f in $SYNTH/*; do run "synth__$(basename $f)" "$f"; run "synth__$(basename $f)-user" --sign-in user3@contoso.com "$f"; done
ls "$OUT" | wc -l
