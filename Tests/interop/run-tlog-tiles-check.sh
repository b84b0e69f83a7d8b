#!/usr/bin/env bash
# Serves a ledger with the built `ledger serve` on a free loopback port and checks it with
# Go's golang.org/x/mod/sumdb/tlog (tlog_tiles_check.go): tiles authenticated against the
# signed checkpoint, inclusion proofs from tiles and /proof, a consistency proof from an
# older size, then a graceful stop on SIGTERM. Needs Debian's golang-go and
# golang-golang-x-mod-dev (Go in GOPATH mode).
#
#   Tests/interop/run-tlog-tiles-check.sh [LEDGER_DIR] [OLD_SIZE] [INDEXES]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$root/ledger}
old_size=${2:-37}
indexes=${3:-0,5,36,37,99}
ledger=${LEDGER_BIN:-$root/.build/debug/ledger}
work=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOCACHE="$work/cache" \
  go build -o "$work/check" "$root/Tests/interop/tlog_tiles_check.go"
vkey=$(head -1 "$dir/entries.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["statement"]["body"]["operator"])')

"$ledger" serve "$dir" --port 0 >"$work/url" 2>"$work/log" &
server=$!
for _ in $(seq 100); do
  [ -s "$work/url" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$work/log" >&2; exit 1; }
  sleep 0.1
done
url=$(head -1 "$work/url")
[ -n "$url" ] || { echo "ledger serve printed no URL" >&2; cat "$work/log" >&2; exit 1; }

"$work/check" -url "$url" -vkey "$vkey" -old-size "$old_size" -indexes "$indexes"

kill -TERM "$server"
status=0
wait "$server" || status=$?
server=
[ "$status" -eq 0 ] || { echo "ledger serve exited $status after SIGTERM" >&2; cat "$work/log" >&2; exit 1; }
echo "tlog-tiles check passed against $url"
