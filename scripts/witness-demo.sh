#!/usr/bin/env bash
# Two delegations witness the sample ledger over HTTP (specs/api.md, Witness client):
# copies ledger/ to a temporary directory, makes two witness keys named after G7 delegations,
# starts two `ledger serve --witness-only` on free loopback ports, starts `ledger serve COPY
# --witness URL=VKEY --witness URL=VKEY` (its witness client submits the sample's latest
# checkpoint to both), waits (at most 60 s) until /checkpoint carries both cosignatures, and
# runs `ledger verify COPY --witness … --witness … --min-cosignatures 2`. Every server is
# stopped with SIGTERM on exit and must exit 0.
#
#   scripts/witness-demo.sh          LEDGER_BIN=/path/to/ledger to use another binary
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ledger=${LEDGER_BIN:-$root/.build/debug/ledger}
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# start NAME ARGS…: runs `ledger serve ARGS…` in the background and sets $url to the URL it
# prints. (Not in a subshell: the server's pid must reach `pids` for the cleanup.)
start() {
  local name=$1
  shift
  "$ledger" serve "$@" --port 0 >"$work/$name.url" 2>"$work/$name.log" &
  pids+=($!)
  for _ in $(seq 200); do
    [ -s "$work/$name.url" ] && { url=$(head -1 "$work/$name.url"); return; }
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "ledger serve ($name) did not start" >&2
  cat "$work/$name.log" >&2
  exit 1
}

cp -R "$root/ledger" "$work/copy"
origin=$(head -1 "$work/copy/entries.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["statement"]["body"]["origin"])')
logkey=$(head -1 "$work/copy/entries.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["statement"]["body"]["operator"])')

args=()
verify=()
for delegation in G7-DE G7-FR; do
  name=witness.$delegation.demo
  "$ledger" key generate --name "$name" --out "$work/$delegation.key" >/dev/null
  vkey=$("$ledger" key show "$work/$delegation.key" --cosigner)
  start "$delegation" --witness-only --key "$work/$delegation.key" --state "$work/$delegation.state" \
    --log "$origin=$logkey"
  echo "witness $name at $url"
  args+=(--witness "$url/witness=$vkey")
  verify+=(--witness "$vkey")
done

# Before: the copy carries no cosignature by these two witnesses.
if "$ledger" verify "$work/copy" "${verify[@]}" --min-cosignatures 2 >/dev/null 2>&1; then
  echo "verify --min-cosignatures 2 passed before the witnesses cosigned" >&2
  exit 1
fi

start log "$work/copy" --refresh-interval 0.2 "${args[@]}"
log=$url
echo "log at $log"
for _ in $(seq 300); do
  checkpoint=$(curl -sf "$log/checkpoint" || true)
  if grep -q '^— witness.G7-DE.demo ' <<<"$checkpoint" && grep -q '^— witness.G7-FR.demo ' <<<"$checkpoint"; then
    break
  fi
  sleep 0.2
done
echo "$checkpoint"
grep -q '^— witness.G7-DE.demo ' <<<"$checkpoint" && grep -q '^— witness.G7-FR.demo ' <<<"$checkpoint" || {
  echo "/checkpoint did not carry both cosignatures within 60 s" >&2
  cat "$work/log.log" >&2
  exit 1
}

"$ledger" verify "$work/copy" "${verify[@]}" --min-cosignatures 2
curl -sf "${log}/metrics" | grep '^ledger_witness_lag'

# Graceful stop: every server exits 0 on SIGTERM.
for pid in "${pids[@]}"; do kill -TERM "$pid"; done
[ ${#pids[@]} -eq 3 ] || { echo "expected 3 servers, have ${#pids[@]}" >&2; exit 1; }
for pid in "${pids[@]}"; do
  status=0
  wait "$pid" || status=$?
  [ "$status" -eq 0 ] || { echo "a server exited $status after SIGTERM" >&2; exit 1; }
done
pids=()
echo "witness demo passed: two delegation witnesses cosigned the sample ledger's checkpoint"
