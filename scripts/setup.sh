#!/usr/bin/env bash
# Installs what RCC Doctor's build and tests need, skipping whatever is already there.
#
#   scripts/setup.sh          build tools: wasm32 target, trunk 0.21.x, wasm-bindgen-cli at
#                             Cargo.lock's wasm-bindgen version, npm packages (binaryen's wasm-opt)
#   scripts/setup.sh --test   the above plus Debian's chromium and chromium-driver
#   scripts/setup.sh --bench  also twiggy (crates.io), which `make bench` uses to say what weighs
#                             in the wasm (scripts/weight.sh); `make test` never needs it
#
# Nothing here downloads a binary from outside the crates.io / npm / Debian registries: Trunk
# finds wasm-bindgen and wasm-opt on PATH and is told to stay offline (Trunk.toml).
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
want_bench=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    --bench) want_bench=1 ;;
    *) echo "setup: unknown option $arg (--test, --bench)" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

# 1. The wasm32 target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding rustup target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 2. Trunk 0.21.x (0.22 needs a newer Rust than this machine has).
if ! trunk --version 2>/dev/null | grep -q '^trunk 0\.21\.'; then
  say "installing trunk 0.21.x (about 10 minutes, once)"
  cargo install trunk --version '~0.21' --locked
fi

# 3. wasm-bindgen-cli at exactly the version Cargo.lock resolved, or Trunk would fetch its own.
if [ ! -f Cargo.lock ]; then cargo generate-lockfile; fi
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$wb_version" ]; then
  echo "setup: could not read the wasm-bindgen version from Cargo.lock" >&2
  exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb_version\$"; then
  say "installing wasm-bindgen-cli $wb_version (matches Cargo.lock)"
  cargo install wasm-bindgen-cli --version "$wb_version" --force
fi

# 4. npm packages: binaryen (wasm-opt), playwright-core and axe-core for the browser tests.
if [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# 5. Crates for both targets, fetched now so the builds below can run offline.
cargo fetch --quiet

# 6. A real browser for the tests.
if [ "$want_test" = 1 ]; then
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || ! command -v brotli >/dev/null; then
    say "installing Debian chromium, chromium-driver and brotli"
    SUDO=""
    [ "$(id -u)" != 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver brotli >/dev/null
  fi
fi
# 7. twiggy, for the weight report of `make bench` only.
if [ "$want_bench" = 1 ] && ! command -v twiggy >/dev/null; then
  say "installing twiggy (about 5 minutes, once; make bench's weight report)"
  cargo install twiggy --locked
fi
say "tools ready: $(trunk --version), wasm-bindgen $wb_version, wasm-opt $(wasm-opt --version | awk '{print $3}')"
