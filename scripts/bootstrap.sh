#!/usr/bin/env bash
# The `prestart` / `pretest` npm script: runs before anything needs node_modules, so it needs only bash and Node.
# When everything is installed it costs a few file tests and prints nothing; otherwise it says what is missing
# and runs just those steps of scripts/setup.sh.
#   bash scripts/bootstrap.sh start   # npm deps, Temporal CLI, Postgres and the project cluster
#   bash scripts/bootstrap.sh test    # the same, plus the time-skipping test server, schemathesis and chromium
#   bash scripts/bootstrap.sh test --check   # only report: lists what is missing, exits 1 if anything is
set -euo pipefail
cd "$(dirname "$0")/.."
purpose=${1:-test}
check_only=0
[ "${2:-}" = --check ] && check_only=1
case "$purpose" in start | test) ;; *) echo "usage: bash scripts/bootstrap.sh start|test [--check]" >&2; exit 2 ;; esac

node_version=$(node --version 2>/dev/null || true) # `--version` answers without starting V8: ~10 ms
node_major=${node_version#v}
node_major=${node_major%%.*}
if ! [ "${node_major:-0}" -ge 20 ] 2>/dev/null; then
  echo "error: Node.js 20 or newer is required (found: ${node_version:-none})" >&2
  exit 1
fi

source scripts/env.sh

steps=()
reasons=()
missing() { steps+=("$1"); reasons+=("$2"); }

anchor_deps_current || missing deps "npm dependencies (node_modules absent or older than package-lock.json)"
[ -x "$TEMPORAL_CLI" ] || missing temporal "Temporal CLI $TEMPORAL_CLI_VERSION ($TEMPORAL_CLI)"
if [ "$purpose" = test ] && [ ! -x "$TEMPORAL_TEST_SERVER" ]; then
  missing test-server "Temporal time-skipping test server $TEMPORAL_TEST_SERVER_VERSION ($TEMPORAL_TEST_SERVER)"
fi
pg_bin=$(cat "$ANCHOR_HOME/pg_bindir" 2>/dev/null || true)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ] || [ ! -x "$pg_bin/postgres" ]; then
  missing postgres "PostgreSQL binaries (recorded in $ANCHOR_HOME/pg_bindir)"
elif [ ! -f "$ANCHOR_PG_DATA/PG_VERSION" ]; then
  missing postgres "the project Postgres cluster ($ANCHOR_PG_DATA)"
fi
if [ "$purpose" = test ] && [ ! -x "$SCHEMATHESIS" ]; then
  missing schemathesis "schemathesis $SCHEMATHESIS_VERSION for the API fuzz test ($SCHEMATHESIS)"
fi
if [ "$purpose" = test ] && [ "${ANCHOR_SKIP_CHROMIUM:-0}" != 1 ] && [ ! -x /usr/bin/chromium ]; then
  missing chromium "chromium for the browser tests"
fi

[ ${#steps[@]} -eq 0 ] && exit 0
if [ "$check_only" = 1 ]; then
  echo "missing for npm $purpose (setup steps: ${steps[*]}):"
  printf '  - %s\n' "${reasons[@]}"
  exit 1
fi

printf '\033[1m%s\033[0m\n' "npm $purpose: installing what is missing first (scripts/setup.sh ${steps[*]}):"
printf '  - %s\n' "${reasons[@]}"
started=$SECONDS
bash scripts/setup.sh "${steps[@]}"
printf '\033[1m%s\033[0m\n' "installed in $(( SECONDS - started )) s; now npm $purpose"
