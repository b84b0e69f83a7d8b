#!/usr/bin/env bash
# The dashboard in a real browser: Debian's headless Chromium driven by Playwright (PyPI),
# with DOM assertions against the CLI's own answers (Tests/browser/test_dashboard.py).
#
# Installs what is missing (Debian's chromium; a venv with playwright and pytest, since
# Debian's Python is externally managed; never `playwright install`, never a downloaded
# browser), builds `ledger`, serves a copy of the sample ledger on a free loopback port with a
# fixed log clock, runs pytest, and stops the server whatever happens.
#
#   scripts/browser-check.sh [PYTEST ARGS…]
#   LEDGER_BIN=/path/ledger   use this binary instead of building one
#   BROWSER_VENV=DIR          the venv (default .build/browser-venv)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if ! command -v chromium >/dev/null; then
  echo "browser-check: installing chromium" >&2
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >&2
fi
venv=${BROWSER_VENV:-$root/.build/browser-venv}
if ! "$venv/bin/python" -c 'import playwright, pytest' 2>/dev/null; then
  echo "browser-check: creating $venv (playwright, pytest)" >&2
  if ! python3 -m venv "$venv" >&2; then
    echo "browser-check: installing python3-venv" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv >&2
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install --quiet 'playwright>=1.40' 'pytest>=7' >&2
fi

if [ -z "${LEDGER_BIN:-}" ]; then
  swift build --product ledger >&2
  LEDGER_BIN="$(swift build --show-bin-path)/ledger"
fi

work=$(mktemp -d)
. "$root/scripts/serve-lib.sh"
trap 'serve_stop; rm -rf "$work"' EXIT INT TERM

cp -R "$root/ledger" "$work/ledger"
# One clock for the server and the CLI, so that the pages and `ledger board` speak of the same instant.
export LEDGER_NOW=${LEDGER_NOW:-2026-12-01T09:00:00Z}
serve_start "$LEDGER_BIN" "$work/ledger" "$work" --refresh-interval 0.2

LEDGER_URL=$url LEDGER_BIN=$LEDGER_BIN LEDGER_DIR=$work/ledger LEDGER_KEYS=$root/ledger-demo-keys \
  CHROMIUM=$(command -v chromium) \
  timeout 600 "$venv/bin/python" -m pytest -p no:cacheprovider "$root/Tests/browser/test_dashboard.py" "$@"
