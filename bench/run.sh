#!/usr/bin/env bash
# The benchmark suite: `npm run bench -- [options]` or `bash bench/run.sh [options]`
# (`--help` lists them). Installs the peers outside the repo (bench/setup.sh), builds dist/ when
# sources changed, then runs bench/suite.ts. Whatever the suite started is stopped by process
# group when this script exits, also on Ctrl-C and also if the suite itself was killed.
set -euo pipefail
BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
cd "$ROOT"

for a in "$@"; do
  if [[ $a == -h || $a == --help ]]; then exec node --import tsx "$BENCH/suite.ts" --help; fi
done

export SWITCHYARD_BENCH_DEPS=${SWITCHYARD_BENCH_DEPS:-/tmp/switchyard-bench-deps}
bash "$BENCH/setup.sh"
node scripts/ensure.mjs

# The suite writes the process-group id of everything it starts here, one per line, and removes
# each one it has stopped.
LEDGER=$(mktemp "${TMPDIR:-/tmp}/switchyard-bench-pgids.XXXXXX")
export SWITCHYARD_BENCH_LEDGER=$LEDGER
stop_leftovers() {
  local pg
  while read -r pg; do [[ -n $pg ]] && kill -TERM -- "-$pg" 2>/dev/null || true; done < "$LEDGER"
  sleep 1
  while read -r pg; do [[ -n $pg ]] && kill -KILL -- "-$pg" 2>/dev/null || true; done < "$LEDGER"
  rm -f "$LEDGER"
}
trap stop_leftovers EXIT
trap 'exit 130' INT TERM HUP

# Ulimit for the idle-connection scenario (10,000 client connections per process).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
node --import tsx "$BENCH/suite.ts" "$@"
