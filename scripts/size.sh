#!/usr/bin/env bash
# Prints what the release build ships: the wasm and everything in dist/, raw, gzip and brotli.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d dist ] || { echo "size: no dist/ yet (run make dist)"; exit 0; }
sizes() { # file... -> one line: raw, gzip -9, brotli -q 11 (KiB)
  local raw=0 gz=0 br=0
  for f in "$@"; do
    raw=$((raw + $(stat -c %s "$f")))
    gz=$((gz + $(gzip -9 -c "$f" | wc -c)))
    if command -v brotli >/dev/null; then br=$((br + $(brotli -q 11 -c "$f" | wc -c))); fi
  done
  awk -v r="$raw" -v g="$gz" -v b="$br" 'BEGIN {
    printf "%9.1f KiB raw %9.1f KiB gzip ", r/1024, g/1024;
    if (b > 0) printf "%9.1f KiB brotli\n", b/1024; else print "(brotli not installed)" }'
}
echo "== shipped size (dist/)"
printf 'wasm:  '; sizes dist/*.wasm
# shellcheck disable=SC2046
printf 'total: '; sizes $(find dist -type f)
