#!/usr/bin/env bash
# Generates the manual page docs/man/ledger.1 from the command definitions, with
# swift-argument-parser's GenerateManual plugin (`swift package plugin generate-manual`; it
# builds from the checked-out dependency and needs no network once the package is resolved).
# The page's date is the day its text last changed: an unchanged page keeps its date.
#
# Usage: scripts/man.sh          rewrite docs/man/ledger.1
#        scripts/man.sh --check  exit 1, showing the difference, if docs/man/ledger.1 is stale;
#                                also lints the page with mandoc or groff where installed
set -euo pipefail
cd "$(dirname "$0")/.."

page=docs/man/ledger.1
mode=${1:-write}
case "$mode" in write | --check) ;; *) echo "usage: scripts/man.sh [--check]" >&2; exit 2 ;; esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# generate DATE: writes the page dated DATE (yyyy-mm-dd) to $work/ledger.1.
generate() {
    if ! swift package plugin generate-manual --configuration debug --date "$1" >"$work/log" 2>&1; then
        cat "$work/log" >&2
        echo "man.sh: the GenerateManual plugin failed" >&2
        exit 1
    fi
    local dir
    dir=$(sed -n "s|^Generated manual in 'file://\(.*\)'$|\1|p" "$work/log" | tail -1)
    if [ -z "$dir" ] || [ ! -f "$dir/ledger.1" ]; then
        cat "$work/log" >&2
        echo "man.sh: the plugin wrote no ledger.1" >&2
        exit 1
    fi
    cp "$dir/ledger.1" "$work/ledger.1"
}

# The committed page's date, as yyyy-mm-dd (`.Dd November 30, 2026`), or today for a first page.
date=$(date -u +%Y-%m-%d)
if [ -f "$page" ]; then
    dd=$(sed -n 's/^\.Dd //p' "$page" | head -1)
    [ -n "$dd" ] && date=$(date -u -d "$dd" +%Y-%m-%d)
fi
generate "$date"

if [ "$mode" = --check ]; then
    if ! diff -u "$page" "$work/ledger.1"; then
        echo "man.sh: $page does not match the command definitions; run scripts/man.sh" >&2
        exit 1
    fi
    if command -v mandoc >/dev/null; then
        mandoc -T lint -W error "$page"
    elif command -v groff >/dev/null; then
        groff -mandoc -z -ww "$page"
    fi
    exit 0
fi

mkdir -p "$(dirname "$page")"
if [ -f "$page" ] && cmp -s "$page" "$work/ledger.1"; then
    echo "man.sh: $page is up to date"
    exit 0
fi
# The text changed: date the page today.
today=$(date -u +%Y-%m-%d)
[ "$today" = "$date" ] || generate "$today"
cp "$work/ledger.1" "$page"
echo "man.sh: wrote $page"
