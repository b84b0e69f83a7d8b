#!/usr/bin/env bash
# Screenshots of the dashboard (docs/dashboard-*.png): serves a copy of the sample ledger with
# `ledger serve` on a free loopback port and a fixed log clock, and photographs pages with
# Debian's headless Chromium (`apt-get install chromium`), the browser scripts/browser-check.sh
# tests with. The sibling scripts/screenshots.sh does the same for the HTML reports.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null || { echo "dashboard-screenshots: chromium is not installed (apt-get install chromium)" >&2; exit 2; }
if [ -z "${LEDGER_BIN:-}" ]; then
  swift build --product ledger >/dev/null
  LEDGER_BIN=$(swift build --show-bin-path)/ledger
fi
export LEDGER_NOW=2026-12-01T09:00:00Z
tmp=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
cp -R ledger "$tmp/ledger"
"$LEDGER_BIN" serve "$tmp/ledger" --port 0 >"$tmp/url" 2>"$tmp/log" &
server=$!
for _ in $(seq 300); do [ -s "$tmp/url" ] && break; sleep 0.1; done
url=$(head -1 "$tmp/url")
[ -n "$url" ] || { echo "dashboard-screenshots: ledger serve printed no URL" >&2; cat "$tmp/log" >&2; exit 1; }
mkdir -p docs
shot() { # NAME PATH HEIGHT
  timeout 120 chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$tmp/profile" \
    --window-size="1280,$3" --screenshot="docs/dashboard-$1.png" "$url$2" 2>/dev/null
  echo "docs/dashboard-$1.png"
}
shot overview / 1000
shot board /forums/G7 680
shot proposal /proposals/G7-SME-2026-01 1300
shot transparency /transparency 820
