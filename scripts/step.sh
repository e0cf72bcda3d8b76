#!/usr/bin/env bash
# Runs one stage of `make test` under a banner and reports its time, so a CI log shows at a
# glance which stage failed and where the minutes went.
set -uo pipefail
name=$1; shift
printf '\n\033[1;34m==> %s\033[0m\n' "$name"
start=$(date +%s)
"$@"
rc=$?
end=$(date +%s)
if [ $rc -ne 0 ]; then
  printf '\033[1;31m==> FAILED: %s (exit %d, %ds)\033[0m\n' "$name" "$rc" "$((end - start))"
  exit $rc
fi
printf '\033[1;32m==> ok: %s (%ds)\033[0m\n' "$name" "$((end - start))"
