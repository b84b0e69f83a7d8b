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
. scripts/serve-lib.sh
trap 'serve_stop; rm -rf "$tmp"' EXIT INT TERM
cp -R ledger "$tmp/ledger"
serve_start "$LEDGER_BIN" "$tmp/ledger" "$tmp"
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
