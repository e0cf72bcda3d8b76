#!/usr/bin/env bash
# What the shipped wasm weighs and what makes it heavy (README "Benchmarks", "Weight").
#
#   scripts/weight.sh          after `trunk build --release`: the sizes (scripts/size.sh), then
#                              twiggy's largest items and the sum per crate, read from the release
#                              wasm with its names (wasm-bindgen --keep-debug, before wasm-opt)
#   WEIGHT_OPT=1 scripts/weight.sh   the same on a copy that also went through `wasm-opt -Oz -g`
#                              (the shipped code with names kept; about 3 minutes more)
#
# Needs twiggy (`scripts/setup.sh --bench` installs it; `make bench` runs this script).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
pre=target/wasm32-unknown-unknown/web/rcc-doctor-web.wasm
out=target/weight
scripts/size.sh
[ -f "$pre" ] || { echo "weight: no $pre yet (run trunk build --release)"; exit 0; }
command -v twiggy >/dev/null || { echo "weight: twiggy not installed (scripts/setup.sh --bench)"; exit 0; }
mkdir -p "$out"
wasm-bindgen "$pre" --out-dir "$out" --out-name named --target web --no-typescript --keep-debug
named="$out/named_bg.wasm"
if [ "${WEIGHT_OPT:-0}" = 1 ]; then
  wasm-opt -Oz -g "$named" -o "$out/named-opt.wasm"
  named="$out/named-opt.wasm"
fi
echo "== largest items ($named; names kept, \"function names\" is not shipped)"
twiggy top -n 40 "$named" | cut -c1-160
echo "== per crate (twiggy shallow sizes)"
twiggy top -n 1000000 -f csv "$named" | python3 scripts/wasm-crates.py 20
