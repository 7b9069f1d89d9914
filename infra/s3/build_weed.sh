#!/usr/bin/env bash
# Build SeaweedFS's `weed` (Apache-2.0; its S3 gateway is the cluster profile's object
# store) from the Go module proxy into .tools/bin/weed. Skipped when that version is built.
#
# `go install …@version` refuses this module (its go.mod has a replace directive), so the
# module is downloaded and built in place. Needs Go ≥ 1.26.6 (the module's go line); an
# older Go ≥ 1.21 fetches an approved toolchain from the module proxy (GOTOOLCHAIN).
# First build: ≈ 2 GB of modules into .tools/go (removed afterwards), ≈ 15 min on 2 cores.
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$ANTT_ROOT"
WEED_MODULE=github.com/seaweedfs/seaweedfs
WEED_VERSION=v0.0.0-20261109003541-7506e5f91cd6    # SeaweedFS 4.53 (2026-11-09)
BIN="$ANTT_ROOT/.tools/bin/weed"
STAMP="$ANTT_ROOT/.tools/bin/.weed-version"
if [ -x "$BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$WEED_VERSION" ]; then
  echo "weed up to date ($WEED_VERSION)"; exit 0
fi
if ! command -v go >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq golang-go
fi
go_minor=$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')
if [ "$go_minor" -lt 21 ]; then
  echo "build_weed: $(go env GOVERSION) is too old to fetch a toolchain; install Go ≥ 1.21" >&2; exit 1
fi
if [ "$go_minor" -lt 26 ]; then export GOTOOLCHAIN=go1.27.3; fi
export GOPATH="$ANTT_ROOT/.tools/go" GOMODCACHE="$ANTT_ROOT/.tools/go/mod" GOCACHE="$ANTT_ROOT/.tools/go/cache"
export CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false"
start=$(date +%s)
echo "downloading $WEED_MODULE@$WEED_VERSION and its modules ..."
dir=$(go mod download -json "$WEED_MODULE@$WEED_VERSION" | "$PIPELINE_VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
echo "building weed (several minutes; progress: one line per 100 packages) ..."
mkdir -p "$(dirname "$BIN")"
(cd "$dir" && nice -n 10 go build -v -trimpath -ldflags='-s -w' -o "$BIN.tmp" ./weed 2>&1 \
   | awk '{ n++ } n % 100 == 0 { print "  ... " n " packages"; fflush() }')
[ -x "$BIN.tmp" ] || { echo "build_weed: go build produced no binary" >&2; exit 1; }
mv "$BIN.tmp" "$BIN"
echo "$WEED_VERSION" > "$STAMP"
chmod -R u+w "$GOPATH" && rm -rf "$GOPATH"       # modules and build cache: 2+ GB, not needed to run
echo "built $BIN ($(du -h "$BIN" | cut -f1)) in $(( $(date +%s) - start )) s"
