# Shared locations, pins and install checks for scripts/setup.sh and scripts/bootstrap.sh; scripts/lib/paths.ts
# mirrors the locations. Sourced, not run.
TEMPORAL_CLI_VERSION=${TEMPORAL_CLI_VERSION:-1.9.1}
TEMPORAL_TEST_SERVER_VERSION=${TEMPORAL_TEST_SERVER_VERSION:-1.40.0}
SCHEMATHESIS_VERSION=${SCHEMATHESIS_VERSION:-4.32.5}
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
# The API schema fuzz test's tool (PyPI), in a virtualenv of its own.
SCHEMATHESIS=$ANCHOR_CACHE/schemathesis/$SCHEMATHESIS_VERSION/bin/schemathesis
export TEMPORAL_CLI_VERSION TEMPORAL_TEST_SERVER_VERSION ANCHOR_CACHE ANCHOR_HOME ANCHOR_PG_DATA ANCHOR_PG_PORT \
  ANCHOR_PG_USER ANCHOR_PG_PASSWORD TEMPORAL_CLI TEMPORAL_TEST_SERVER SCHEMATHESIS_VERSION SCHEMATHESIS

# True when node_modules holds what package-lock.json pins (npm writes node_modules/.package-lock.json when it
# installs). The fast path is three file tests; only when a file is newer than the install (a checkout touches
# files without changing them) does Node compare the contents, and then it refreshes the stamp when they match.
anchor_deps_current() {
  local installed=node_modules/.package-lock.json bin
  [ -f "$installed" ] || return 1
  for bin in tsx tsc vitest biome; do [ -x "node_modules/.bin/$bin" ] || return 1; done
  if [ ! package-lock.json -nt "$installed" ] && [ ! package.json -nt "$installed" ]; then return 0; fi
  node - "$installed" <<'JS' && touch "$installed"
const { readFileSync } = require('node:fs');
const read = (file) => JSON.parse(readFileSync(file, 'utf8'));
const manifest = read('package.json');
const lock = read('package-lock.json');
const installed = read(process.argv[2]).packages ?? {};
const root = lock.packages?.[''] ?? {};
const same = (a = {}, b = {}) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
// package.json edited without `npm install`: npm ci will say so; the install is not current either way.
if (!same(manifest.dependencies, root.dependencies) || !same(manifest.devDependencies, root.devDependencies)) process.exit(1);
for (const [path, entry] of Object.entries(lock.packages ?? {})) {
  if (path === '') continue;
  const have = installed[path];
  if (!have) {
    if (entry.optional || entry.devOptional) continue; // another platform's binary, skipped by npm
    process.exit(1);
  }
  if (have.version !== entry.version) process.exit(1);
}
for (const path of Object.keys(installed)) if (!(path in (lock.packages ?? {}))) process.exit(1);
JS
}
