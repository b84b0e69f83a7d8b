#!/usr/bin/env bash
# Load test of the write API (specs/api.md §Write API): builds release, then `ledger-bench load`
# creates a ledger in a temporary directory, starts `ledger serve --operator-key` on 127.0.0.1
# (a free port) and posts pre-signed statements through POST /api/v1/entries: durable appends/s
# (signatures checked, group commit), p50/p99 latency at half that rate, the 5xx count, and the
# raw Ed25519 verify rate measured in the same run as the limit. Bounded: --count statements
# (default 20000) and --seconds per phase (default 20); nothing but 127.0.0.1 is contacted.
#
# Usage: scripts/load.sh [--count N] [--seconds S] [--connections C] [--signers K] [--json]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product ledger >/dev/null
swift build -c release --product ledger-bench >/dev/null
exec .build/release/ledger-bench load "$@"
