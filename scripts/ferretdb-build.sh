#!/usr/bin/env bash
# Builds FerretDB (a MongoDB-wire-compatible server) for the test suites.
#
# Output: <repo root>/.cache/ferretdb/bin/ferretdb
#
# Why not `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2`: that binary panics at
# start, because build/version/version.txt is generated at release time and is not part of the
# module. So we copy the module source out of the Go module cache, write that file, and build.
#
# Needs only Go (>= 1.21; go.mod asks for 1.24, which Go's toolchain switching fetches if the local
# Go is older) and network access to the Go module proxy. GOPATH/GOCACHE are left at their defaults.
# Idempotent: does nothing when the binary exists and reports the expected version.
set -euo pipefail

FERRETDB_VERSION="v1.24.2"
FERRETDB_MODULE="github.com/FerretDB/FerretDB"

log() { printf '[ferretdb-build] %s\n' "$*" >&2; }
die() { printf '[ferretdb-build] ERROR: %s\n' "$*" >&2; exit 1; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="$ROOT/.cache/ferretdb"
BIN="$CACHE_DIR/bin/ferretdb"

installed_version() {
  # `ferretdb --version` prints "version: vX.Y.Z" plus commit/branch/... lines.
  "$BIN" --version 2>/dev/null | sed -n 's/^version: *//p' | head -n 1
}

if [[ -x "$BIN" ]] && [[ "$(installed_version || true)" == "$FERRETDB_VERSION" ]]; then
  log "FerretDB $FERRETDB_VERSION already built: $BIN"
  exit 0
fi

command -v go >/dev/null 2>&1 || die "'go' not found on PATH. Install Go (https://go.dev/dl/, >= 1.21) to build FerretDB, \
or set MONGODB_URI to an existing MongoDB, or put 'mongod' on PATH."

mkdir -p "$CACHE_DIR/bin"

# Serialise concurrent builds (e.g. several test workers starting at once).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE_DIR/.build.lock"
  log "acquiring build lock $CACHE_DIR/.build.lock"
  flock 9
  if [[ -x "$BIN" ]] && [[ "$(installed_version || true)" == "$FERRETDB_VERSION" ]]; then
    log "FerretDB $FERRETDB_VERSION was built by another process: $BIN"
    exit 0
  fi
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ferretdb-build.XXXXXX")"
cleanup() { chmod -R u+w "$WORK" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

log "using $(go version)"
log "downloading $FERRETDB_MODULE@$FERRETDB_VERSION through the Go module proxy ($(go env GOPROXY))"
# Run outside any Go module so the current directory cannot interfere.
MOD_JSON="$(cd "$WORK" && go mod download -json "$FERRETDB_MODULE@$FERRETDB_VERSION")" \
  || die "go mod download failed (no network access to the Go module proxy?)"
SRC_DIR="$(printf '%s\n' "$MOD_JSON" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' | head -n 1)"
[[ -n "$SRC_DIR" && -d "$SRC_DIR" ]] || die "could not find the module directory in: $MOD_JSON"
log "module source: $SRC_DIR"

# The module cache is read-only: build from a writable copy.
cp -R "$SRC_DIR" "$WORK/src"
chmod -R u+w "$WORK/src"
printf '%s\n' "$FERRETDB_VERSION" > "$WORK/src/build/version/version.txt"
printf '%s\n' "taskflow-test" > "$WORK/src/build/version/package.txt"

# No build tags: the SQLite (pure Go, modernc.org/sqlite) and PostgreSQL backends are built by
# default; this is a non-debug build like FerretDB's release builds (their Taskfile's dev builds add
# ferretdb_debug,ferretdb_hana). CGO is not needed.
log "building ./cmd/ferretdb (a few minutes the first time; cached afterwards)"
start=$SECONDS
(
  cd "$WORK/src"
  CGO_ENABLED=0 go build -buildvcs=false -trimpath -o "$WORK/ferretdb" ./cmd/ferretdb
) || die "go build failed (see the output above)"
log "built in $((SECONDS - start)) s"

got="$("$WORK/ferretdb" --version 2>/dev/null | sed -n 's/^version: *//p' | head -n 1 || true)"
[[ "$got" == "$FERRETDB_VERSION" ]] || die "built binary reports version '$got', expected $FERRETDB_VERSION"

mv -f "$WORK/ferretdb" "$BIN.tmp.$$"
mv -f "$BIN.tmp.$$" "$BIN"
log "installed FerretDB $FERRETDB_VERSION at $BIN ($(du -h "$BIN" | cut -f1))"
