#!/usr/bin/env bash
# Checks the HTTP API against its contract (specs/openapi.yaml): validates the document with
# openapi-spec-validator, then starts `ledger serve` on a copy of the sample ledger (ledger/)
# on a free loopback port and fuzzes every GET route with schemathesis (bounded in examples
# and time), and reads the event stream's head. The server is stopped on every exit path.
#
# Usage: scripts/api-check.sh            (after `swift build`; .ci/run installs the tools)
# Environment: API_CHECK_VENV  the Python venv with openapi-spec-validator and schemathesis
#                              (default .build/api-check-venv)
#              LEDGER          the ledger executable (default: swift build's)
#              API_CHECK_EXAMPLES  schemathesis examples per operation (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${API_CHECK_VENV:-.build/api-check-venv}"
for tool in openapi-spec-validator schemathesis; do
  if [ ! -x "$venv/bin/$tool" ]; then
    echo "api-check: $venv/bin/$tool is missing (.ci/run installs it)" >&2
    exit 2
  fi
done
ledger="${LEDGER:-$(swift build --show-bin-path)/ledger}"
[ -x "$ledger" ] || { echo "api-check: $ledger is not built (run swift build)" >&2; exit 2; }

"$venv/bin/openapi-spec-validator" specs/openapi.yaml

work="$(mktemp -d "${TMPDIR:-/tmp}/api-check.XXXXXX")"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

cp -R ledger "$work/ledger"
"$ledger" serve "$work/ledger" --host 127.0.0.1 --port 0 --log-level warning >"$work/url" 2>"$work/serve.log" &
pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/url" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
url="$(head -n 1 "$work/url")"
case "$url" in http://127.0.0.1:*) ;; *) echo "api-check: the server printed no URL" >&2; exit 1 ;; esac
echo "api-check: serving a copy of ledger/ at $url"

# The event stream never ends: its head is checked here, and it is left out of the fuzzing.
head="$(curl -sS -D - -o /dev/null --max-time 2 "$url/api/v1/events" || true)"
echo "$head" | grep -qi '^content-type: text/event-stream' || {
  echo "api-check: /api/v1/events is not text/event-stream:" >&2
  echo "$head" >&2
  exit 1
}

# Run from the scratch directory: schemathesis keeps its cache (.schemathesis/) in the current one.
spec="$PWD/specs/openapi.yaml"
venv="$(cd "$venv" && pwd)"
(cd "$work" && "$venv/bin/schemathesis" run "$spec" --url "$url" \
  --include-method GET --exclude-path /api/v1/events \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "${API_CHECK_EXAMPLES:-20}" --max-time 120 --workers 1 --seed 12 \
  --request-timeout 10 --no-color)

grep -q 'error' "$work/serve.log" && { echo "api-check: the server logged errors:" >&2; cat "$work/serve.log" >&2; exit 1; }
echo "api-check: OK"
