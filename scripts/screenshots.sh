#!/usr/bin/env bash
# Renders the HTML reports of the sample ledger to PNG under docs/ with headless Chromium
# (Debian's `chromium` package; `apt-get install chromium fonts-noto-cjk`). The log clock is
# fixed so that the pictures do not change from run to run.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null || { echo "screenshots: chromium is not installed (apt-get install chromium)" >&2; exit 2; }
swift build --product ledger >/dev/null
B=$(swift build --show-bin-path)/ledger
export LEDGER_NOW=2026-12-01T09:00:00Z
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$B" board ledger --format html >"$tmp/board.html"
"$B" status ledger G7-SME-2026-02 --format html >"$tmp/status.html"
"$B" history ledger G7-SME-2026-01 --format html >"$tmp/history.html"
mkdir -p docs
for f in board status history; do
  timeout 120 chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,900 \
    --screenshot="docs/report-$f.png" "file://$tmp/$f.html" 2>/dev/null
  echo "docs/report-$f.png"
done
