# Shared locations and pins for scripts/setup.sh; scripts/lib/paths.ts mirrors these. Sourced, not run.
TEMPORAL_CLI_VERSION=${TEMPORAL_CLI_VERSION:-1.9.1}
TEMPORAL_TEST_SERVER_VERSION=${TEMPORAL_TEST_SERVER_VERSION:-1.40.0}
ANCHOR_CACHE=${ANCHOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stellar-anchor}
if [ -z "${ANCHOR_HOME:-}" ]; then
  # Root's home is closed to the postgres user, so as root the state lives under /var/lib.
  if [ "$(id -u)" -eq 0 ]; then ANCHOR_HOME=/var/lib/stellar-anchor; else
    ANCHOR_HOME=${XDG_DATA_HOME:-$HOME/.local/share}/stellar-anchor; fi
fi
ANCHOR_PG_DATA=${ANCHOR_PG_DATA:-$ANCHOR_HOME/postgres}
ANCHOR_PG_PORT=${ANCHOR_PG_PORT:-54329}
ANCHOR_PG_USER=${ANCHOR_PG_USER:-anchor}
ANCHOR_PG_PASSWORD=${ANCHOR_PG_PASSWORD:-anchor}
TEMPORAL_CLI=$ANCHOR_CACHE/temporal-cli/$TEMPORAL_CLI_VERSION/temporal
TEMPORAL_TEST_SERVER=$ANCHOR_CACHE/temporal-test-server/$TEMPORAL_TEST_SERVER_VERSION/temporal-test-server
export TEMPORAL_CLI_VERSION TEMPORAL_TEST_SERVER_VERSION ANCHOR_CACHE ANCHOR_HOME ANCHOR_PG_DATA ANCHOR_PG_PORT \
  ANCHOR_PG_USER ANCHOR_PG_PASSWORD TEMPORAL_CLI TEMPORAL_TEST_SERVER
