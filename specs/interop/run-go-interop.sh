#!/bin/bash
# Regenerates specs/vectors/go-interop/ with Go's golang.org/x/mod/sumdb/note
# (Debian: apt-get install golang-go golang-golang-x-mod-dev) and checks our vectors with it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
vec="$here/../vectors"
out="$vec/go-interop"
mkdir -p "$out"
export GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS=
bin=$(mktemp -d)/interop
go build -o "$bin" "$here/interop.go"
logvkey=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["log"]["vkey"])' "$vec/keys.json")
# Direction 1: Go verifies our signed and cosigned checkpoints (cosignatures are unknown keys to Go, ignored).
"$bin" verify "$logvkey" "$vec/checkpoint.note" > "$out/go-verifies-our-checkpoint.txt"
"$bin" verify "$logvkey" "$vec/checkpoint-cosigned.note" > "$out/go-verifies-our-cosigned-checkpoint.txt"
# Direction 2: a Go-generated key (a TEST KEY, published on purpose) and a note Go signed with it.
if [ ! -f "$out/go-test-key.private" ]; then
  "$bin" generate go-interop.example/log > "$bin.keys"
  head -1 "$bin.keys" > "$out/go-test-key.private"
  tail -1 "$bin.keys" > "$out/go-test-key.vkey"
fi
printf 'go-interop.example/log\n7\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n' > "$bin.text"
"$bin" sign "$out/go-test-key.private" "$bin.text" > "$out/go-signed-checkpoint.note"
echo "go interop vectors written to $out"
cat "$out"/go-verifies-our-checkpoint.txt
