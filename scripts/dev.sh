#!/usr/bin/env bash
# The single entry point: `bash scripts/dev.sh demo | test | ci | stress | setup | <any command>`.
# Works on a fresh clone with only the machine's Node 20 + npm: it installs the pinned Node 24 and
# pnpm 12 from the npm registry into tools/toolchain (corepack and nodejs.org are unreachable here).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Remember the machine's own node before the toolchain shadows it: the engines smoke test runs the
# built packages on it (we promise engines.node >=20).
if [ -z "${CHATTRAIL_SYSTEM_NODE:-}" ]; then
  IFS=: read -ra path_dirs <<<"$PATH"
  for d in "${path_dirs[@]}"; do
    case "$d" in *node_modules*) continue ;; esac
    if [ -x "$d/node" ]; then CHATTRAIL_SYSTEM_NODE="$d/node"; break; fi
  done
  export CHATTRAIL_SYSTEM_NODE="${CHATTRAIL_SYSTEM_NODE:-}"
fi

toolchain="$root/tools/toolchain"
export PATH="$toolchain/node_modules/.bin:$root/node_modules/.bin:$PATH"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 TURBO_NO_UPDATE_NOTIFIER=1
export NPM_CONFIG_UPDATE_NOTIFIER=false

log() { printf '\033[36m[dev]\033[0m %s\n' "$*" >&2; }

bootstrap_toolchain() {
  local stamp="$toolchain/.stamp" want
  want="$(sha256sum "$toolchain/package.json" | cut -d' ' -f1)"
  if [ -x "$toolchain/node_modules/.bin/node" ] && [ -x "$toolchain/node_modules/.bin/pnpm" ] &&
    [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return
  fi
  log "installing Node 24 + pnpm 12 from the npm registry into tools/toolchain"
  # --no-package-lock: the registry lacks most optional @pnpm/exe.* platform packages, so a lockfile
  # would always be "out of sync". The pins are exact and these packages have no other dependencies.
  (cd "$toolchain" && PATH="${PATH#"$toolchain/node_modules/.bin:"}" npm install --no-package-lock \
    --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
}

install_deps() {
  log "pnpm install"
  pnpm install --frozen-lockfile --reporter=append-only 2>&1 | grep -vE '^(Progress|Packages:|\+{3,})' >&2 || {
    log "pnpm install failed"
    exit 1
  }
}

# The viewer tests drive Debian's Chromium; nothing may download a browser of its own.
ensure_chromium() {
  [ -x /usr/bin/chromium ] && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing Debian's chromium for the browser tests (apt-get)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ||
      log "could not install chromium; browser tests will report as skipped"
  else
    log "no /usr/bin/chromium and not root: browser tests will report as skipped (apt-get install chromium)"
  fi
}

# The @chattrail/redis tests start Debian's redis-server themselves (free port, temp dir). Installed with
# policy-rc.d answering 101 so that apt starts no system Redis service that would outlive the tests.
ensure_redis() {
  [ -x /usr/bin/redis-server ] && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing Debian's redis-server for the @chattrail/redis tests (apt-get; no service started)"
    local policy=/usr/sbin/policy-rc.d added=
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && added=1
    fi
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null) ||
      log "could not install redis-server; the @chattrail/redis tests will report as skipped"
    [ -n "$added" ] && rm -f "$policy"
    # Where a service was started anyway (systemd without policy-rc.d), stop it: tests run their own.
    command -v systemctl >/dev/null && systemctl disable --now redis-server >/dev/null 2>&1 || true
  else
    log "no /usr/bin/redis-server and not root: the @chattrail/redis tests will report as skipped (apt-get install redis-server)"
  fi
}

run_checks() {
  local steps=()
  rm -f packages/*/.vitest-report.json apps/*/.vitest-report.json scripts/.vitest-report.json
  log "biome ci"
  biome ci . || steps+=(biome)
  log "turbo: build typecheck test"
  turbo run build typecheck test --continue --log-order=grouped || steps+=(turbo)
  log "tests of scripts/ (the summary below counts them)"
  vitest run --config scripts/vitest.config.mjs --reporter=default --reporter=json \
    --outputFile.json="$root/scripts/.vitest-report.json" || steps+=(scripts-tests)
  log "release check (pack + publint + attw)"
  node scripts/release-check.mjs || steps+=(release-check)
  log "engines smoke test on system node (${CHATTRAIL_SYSTEM_NODE:-none})"
  node scripts/smoke-node20.mjs || steps+=(smoke-node20)
  log "release rehearsal (Verdaccio: changeset publish, npm install on system node, a turn per adapter)"
  node scripts/release-rehearsal.mjs || steps+=(release-rehearsal)
  # The summary is the closing line; it exits non-zero on failed tests, no tests, or failed steps.
  CHATTRAIL_FAILED_STEPS="$(IFS=,; echo "${steps[*]:-}")" node scripts/test-summary.mjs
}

cmd="${1:-help}"
[ $# -gt 0 ] && shift
case "$cmd" in
  setup)
    bootstrap_toolchain
    install_deps
    ;;
  demo)
    bootstrap_toolchain
    install_deps
    turbo run build --output-logs=errors-only
    exec node apps/demo/src/demo.mjs "$@"
    ;;
  test | ci)
    bootstrap_toolchain
    install_deps
    ensure_chromium
    ensure_redis
    run_checks
    ;;
  stress)
    exec bash scripts/stress-test.sh "$@"
    ;;
  help | -h | --help)
    echo "usage: bash scripts/dev.sh demo [--keep] | test | ci | stress [runs] | setup | <command...>"
    ;;
  *)
    bootstrap_toolchain
    exec "$cmd" "$@"
    ;;
esac
