#!/usr/bin/env bash
# Installs the benchmark's peers outside the repository: checks the Debian tools (wrk, nginx,
# HAProxy; installed with apt-get when missing and running as root) and installs the pinned Node
# peers with npm into a scratch directory, so the project's own dependencies stay untouched.
# Usage: bench/setup.sh            (scratch dir: $SWITCHYARD_BENCH_DEPS, default /tmp/switchyard-bench-deps)
set -euo pipefail

DEPS=${SWITCHYARD_BENCH_DEPS:-/tmp/switchyard-bench-deps}
# The off-the-shelf Node proxies we compare against, pinned so runs stay comparable.
PEERS=(fastify@5.12.8 @fastify/http-proxy@11.6.3 http-proxy@1.18.1)

missing=()
for tool in wrk nginx haproxy taskset setsid timeout; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y wrk nginx-light haproxy util-linux coreutils
  else
    echo "bench/setup.sh: missing ${missing[*]}; install the Debian packages wrk nginx-light haproxy" >&2
    exit 1
  fi
fi

# npm runs only when a pinned version is absent, so repeated runs are offline and quick.
need=0
for spec in "${PEERS[@]}"; do
  name=${spec%@*} version=${spec##*@}
  have=$(node -e 'try { process.stdout.write(require(process.argv[1]).version) } catch {}' \
    "$DEPS/node_modules/$name/package.json")
  [[ $have == "$version" ]] || need=1
done
if ((need)); then
  mkdir -p "$DEPS"
  [[ -f $DEPS/package.json ]] || echo '{ "name": "switchyard-bench-deps", "private": true }' > "$DEPS/package.json"
  (cd "$DEPS" && npm install --no-audit --no-fund --loglevel=error --save-exact "${PEERS[@]}")
fi
echo "bench peers ready: wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'), nginx $(nginx -v 2>&1 | sed 's/.*\///'), haproxy $(haproxy -v | head -1 | awk '{print $3}'), node peers in $DEPS"
