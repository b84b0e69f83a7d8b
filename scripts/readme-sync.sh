#!/usr/bin/env bash
# Copies the walkthrough blocks of scripts/walkthrough.sh (between `# >>> readme: NAME` and
# `# <<< readme`) into README.md (between `<!-- walkthrough: NAME -->` and
# `<!-- /walkthrough -->`), so that the README quotes exactly what CI runs.
#
# Usage: scripts/readme-sync.sh          rewrite README.md
#        scripts/readme-sync.sh --check  exit 1, showing the difference, if README.md is stale
set -euo pipefail
cd "$(dirname "$0")/.."

generated=$(mktemp)
trap 'rm -f "$generated"' EXIT

awk '
    # First file: the script. Collect each named block.
    FNR == NR {
        if ($0 ~ /^# >>> readme: /) { name = $4; inblock = 1; block[name] = ""; next }
        if ($0 ~ /^# <<< readme/) { inblock = 0; next }
        if (inblock) block[name] = block[name] $0 "\n"
        next
    }
    # Second file: the README. Replace what lies between the markers.
    /^<!-- walkthrough: [a-z-]+ -->$/ {
        print
        name = $3
        if (!(name in block)) { print "readme-sync: no block \"" name "\" in scripts/walkthrough.sh" > "/dev/stderr"; exit 3 }
        printf "```sh\n%s```\n", block[name]
        used[name] = 1
        skipping = 1
        next
    }
    /^<!-- \/walkthrough -->$/ { skipping = 0; print; next }
    !skipping { print }
    END {
        for (n in block) if (!(n in used)) { print "readme-sync: block \"" n "\" is not quoted in README.md" > "/dev/stderr"; exit 3 }
    }
' scripts/walkthrough.sh README.md > "$generated"

if [ "${1:-}" = "--check" ]; then
    if ! diff -u README.md "$generated"; then
        echo "readme-sync: README.md does not quote scripts/walkthrough.sh; run scripts/readme-sync.sh" >&2
        exit 1
    fi
else
    cp "$generated" README.md
fi
