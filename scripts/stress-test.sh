#!/usr/bin/env bash
# Runs the whole suite (`bash scripts/dev.sh test`, what `npm test` runs) several times in a row beside a
# CPU hog, to catch tests that hold only on an idle machine. Prints each run's closing line.
#
# usage: bash scripts/stress-test.sh [runs]     (default 3)
#   CHATTRAIL_STRESS_WORKERS   CPU hog workers (default: one per core, `nproc`)
# Needs stress-ng; installs Debian's when run as root, as dev.sh does for chromium.
# Exits 1 unless every run was green. Full logs stay in a temp directory, named at the end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

runs="${1:-3}"
workers="${CHATTRAIL_STRESS_WORKERS:-$(nproc)}"
log() { printf '\033[36m[stress]\033[0m %s\n' "$*" >&2; }

if ! command -v stress-ng >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing Debian's stress-ng (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq stress-ng >/dev/null
  else
    log "stress-ng is missing and this is not root: apt-get install stress-ng"
    exit 1
  fi
fi

logs="$(mktemp -d "${TMPDIR:-/tmp}/chattrail-stress.XXXXXX")"
# The hog runs for the whole script; --timeout is only a backstop should this script be killed outright.
stress-ng --cpu "$workers" --timeout "$((runs * 3600))s" --quiet &
hog=$!
stop_hog() {
  kill "$hog" 2>/dev/null || true
  wait "$hog" 2>/dev/null || true
}
trap stop_hog EXIT
trap 'exit 130' INT TERM
log "stress-ng --cpu $workers running (pid $hog); $runs run(s) of the whole suite, logs in $logs"

green=0
for i in $(seq 1 "$runs"); do
  started=$SECONDS
  # TURBO_FORCE: without it, runs after the first would replay turbo's cached test results.
  set +e
  TURBO_FORCE=true bash scripts/dev.sh test >"$logs/run-$i.log" 2>&1
  code=$?
  set -e
  closing="$(grep -a '^tests: ' "$logs/run-$i.log" | tail -n 1 || true)"
  line="run $i/$runs: ${closing:-no closing line} (exit $code, $((SECONDS - started)) s)"
  echo "$line"
  if [ "$code" = 0 ]; then
    green=$((green + 1))
  else
    sed 's/\x1b\[[0-9;]*m//g' "$logs/run-$i.log" | grep -aE '(FAIL|×) ' | sed 's/^/    /' | head -n 20 || true
  fi
done

echo "$green of $runs run(s) green beside stress-ng --cpu $workers on $(nproc) core(s); logs in $logs"
[ "$green" = "$runs" ]
