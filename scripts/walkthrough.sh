#!/usr/bin/env bash
# The README's walkthrough, run end to end (CI runs it after `swift test`).
#
# The blocks between the `# >>> readme: NAME` and `# <<< readme` lines are quoted verbatim in
# README.md; `scripts/readme-sync.sh` copies them there and `scripts/readme-sync.sh --check`
# (also run by CI) fails if the two differ. Edit the walkthrough here, never in the README.
#
# Usage: scripts/walkthrough.sh [WORKDIR]
#   WORKDIR          where to work (default: a new temporary directory, removed afterwards)
#   LEDGER=/path     use this `ledger` binary instead of building one
#   LEDGER_EU_ANNEX  the EU Annex I dataset (default ../shared/data/eu-annex-i-2025-11-15.json
#                    beside the repository); without it the control-list part is skipped,
#                    unless LEDGER_REQUIRE_EU_ANNEX is set (as in CI), when it fails
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

if [ -z "${LEDGER:-}" ]; then
    (cd "$ROOT" && swift build --product ledger >&2)
    LEDGER="$(cd "$ROOT" && swift build --show-bin-path)/ledger"
fi
# `ledger` below is this binary, found on PATH as a user's installed copy would be.
BIN=$(mktemp -d)
ln -s "$LEDGER" "$BIN/ledger"
export PATH="$BIN:$PATH"

if [ $# -ge 1 ]; then
    WORK=$1
    mkdir -p "$WORK"
    CLEAN=$BIN
else
    WORK=$(mktemp -d)
    CLEAN="$BIN $WORK"
fi
trap '{ set +x; } 2>/dev/null; rm -rf $CLEAN' EXIT
cd "$WORK"

EU_ANNEX=${LEDGER_EU_ANNEX:-$ROOT/../shared/data/eu-annex-i-2025-11-15.json}

# Echo each command as it runs (`+ ledger …`; `++` for one inside "$(…)").
PS4='+ '
set -x

# >>> readme: using
ledger key generate --name example.org/log --out op.key      # writes a 0600 key, prints its vkey last
ledger init led --origin example.org/log --operator-key op.key
ledger key generate --name author.example --out author.key
ledger key register led --key op.key --vkey "$(ledger key show author.key)"
ledger append led --key author.key --kind note --body '{"text":"3B001.f review"}' --json
ledger statement sign --key author.key --kind note --body '{"text":"signed offline"}' > s.jsonl
ledger append led --signed s.jsonl                           # one fsync for the whole batch
ledger checkpoint led --sign --key op.key > cp               # C2SP tlog-checkpoint
ledger key generate --name witness.example --out witness.key # a witness, normally someone else
ledger cosign cp --key witness.key --vkey "$(ledger key show op.key)" --state wstate > cp.cosigned
ledger checkpoint led --attach cp.cosigned --witness "$(ledger key show witness.key --cosigner)"
ledger verify led --vkey "$(ledger key show op.key)" --witness "$(ledger key show witness.key --cosigner)" --min-cosignatures 1
ledger repair led                                            # rebuilds entries.idx, tree.hashes and the commit record from entries.jsonl
ledger proof inclusion led --index 2 --json > proof.json
ledger entry led 2 --raw > leaf.bin                          # the leaf's exact bytes
ledger proof verify --vkey "$(ledger key show op.key)" --checkpoint cp --proof proof.json --leaf leaf.bin --signer-vkey "$(ledger key show author.key)"
ledger checkpoint verify cp.cosigned --vkey "$(ledger key show op.key)" --witness "$(ledger key show witness.key --cosigner)" --min-cosignatures 1
# <<< readme

# >>> readme: negotiations
ledger forum list                                            # the four real forums (G7, Quad, CPTPP, RCEP), sources cited
ledger forum charter led --key op.key --forum G7             # the operator writes a charter from the built-in data
ledger key generate --name g7.secretariat --out g7sec.key
ledger secretariat register led --key op.key --forum G7 --vkey "$(ledger key show g7sec.key)"
ledger key generate --name jp.delegation --out jp.key
ledger delegation register led --key g7sec.key --forum G7 --party JP --vkey "$(ledger key show jp.key)"
ledger key generate --name de.delegation --out de.key
ledger delegation register led --key g7sec.key --forum G7 --party DE --vkey "$(ledger key show de.key)"
cat > proposal.yaml <<'EOF'
id: G7-SME-2026-01
forum: G7
party: JP
title: Licence requirement for EUV lithography and advanced etch equipment
measureType: licence-requirement
items:
  - {scheme: wassenaar, code: 3B001.f.1}
  - {scheme: us-eccn, code: 3B993}
parameters:
  - {term: exposure light source wavelength, comparator: "<", value: 193, unit: nm}
destinations: [CN, RU]
rationale: Align G7 controls on EUV lithography and the etch tools of US ECCN 3B993.
effectiveDate: "2027-01-01"
references:
  - Wassenaar Arrangement List of Dual-Use Goods and Technologies, Category 3, 3B001.f
EOF
ledger propose led --key jp.key --file proposal.yaml         # JSON or YAML; conflict warnings on stderr
ledger position led G7-SME-2026-01 --key de.key --party DE --stance object --reason "scope of 3B993"
ledger status led G7-SME-2026-01
ledger board led --forum G7
ledger history led G7-SME-2026-01
# <<< readme

{ set +x; } 2>/dev/null
if [ -f "$EU_ANNEX" ] || [ -n "${LEDGER_REQUIRE_EU_ANNEX:-}" ]; then
set -x
# >>> readme: control-lists
ledger list import "$EU_ANNEX" --format eu-annex --out eu.json   # EU_ANNEX: ../shared/data/eu-annex-i-2025-11-15.json
ledger list diff eu.json "$ROOT/Sources/ControlLists/Data/us-ccl-subset.json" --format markdown
ledger list publish led eu.json --key jp.key                 # anchors the list's hash in the ledger
ledger conflicts led --json                                  # duplicate and conflicting measures across forums
# <<< readme
{ set +x; } 2>/dev/null
else
    echo "walkthrough: skipping the control lists: no EU Annex I dataset at $EU_ANNEX (set LEDGER_EU_ANNEX)" >&2
fi
set -x

# >>> readme: audit
ledger checkpoint led --sign --key op.key > cp2
ledger proof consistency led --from "$(sed -n 2p cp)" --json > consistency.json
ledger cosign cp2 --key witness.key --vkey "$(ledger key show op.key)" --state wstate --proof consistency.json > cp2.cosigned
ledger checkpoint led --attach cp2.cosigned --witness "$(ledger key show witness.key --cosigner)"
ledger verify led --vkey "$(ledger key show op.key)" --witness "$(ledger key show witness.key --cosigner)" --min-cosignatures 1
# <<< readme

{ set +x; } 2>/dev/null
echo "walkthrough: OK"
