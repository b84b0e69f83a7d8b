#!/usr/bin/env bash
# Regenerates the sample ledger in ledger/ (or the directory given as $1) from the DEMO KEYS
# in ledger-demo-keys/ and the proposal files in scripts/sample-proposals/.
#
# The keys are DEMO KEYS — NOT SECRET. They are committed so that anyone can rebuild the same
# negotiation with the same signers. Never use them for anything real.
#
# Usage: scripts/make-sample-ledger.sh [OUT_DIR]
#   LEDGER=/path/to/ledger   use this binary instead of building one
#   SCRATCH=.build-x         scratch path for `swift build` (default .build)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${1:-ledger}
KEYS=$ROOT/ledger-demo-keys
PROPS=$ROOT/scripts/sample-proposals

if [ -z "${LEDGER:-}" ]; then
    swift build --product ledger --scratch-path "${SCRATCH:-.build}" >&2
    LEDGER="$(swift build --scratch-path "${SCRATCH:-.build}" --show-bin-path)/ledger"
fi
L() { "$LEDGER" "$@"; }

ORIGIN=demo.minilateral-ledger.example
keyfile() { echo "$KEYS/DEMO-NOT-SECRET-$1.key"; }
# key NAME: the key file for NAME, generated once (then committed) if missing.
key() {
    local f; f=$(keyfile "$1")
    [ -f "$f" ] || L key generate --name "$1" --out "$f" >/dev/null
    echo "$f"
}
vkey() { L key show "$(key "$1")"; }
at() { export LEDGER_NOW="$1"; }

G7="CA FR DE IT JP GB US EU"
QUAD="AU IN JP US"
CPTPP="AU BN CA CL JP MY MX NZ PE SG VN GB CR"
RCEP="BN KH ID LA MY MM PH SG TH VN AU CN JP KR NZ"
parties() { case $1 in G7) echo "$G7";; Quad) echo "$QUAD";; CPTPP) echo "$CPTPP";; RCEP) echo "$RCEP";; esac; }

# Delegation key of PARTY in FORUM.
d() { key "$1-$2.demo"; }
# position FORUM PROPOSAL PARTY STANCE [REASON]
position() {
    if [ $# -ge 5 ]; then
        L position "$OUT" "$2" --key "$(d "$1" "$3")" --party "$3" --stance "$4" --reason "$5" >/dev/null
    else
        L position "$OUT" "$2" --key "$(d "$1" "$3")" --party "$3" --stance "$4" >/dev/null
    fi
}

if [ -e "$OUT" ]; then
    [ -z "$(ls -A "$OUT")" ] || [ -f "$OUT/entries.jsonl" ] || { echo "refusing to replace $OUT: not a ledger" >&2; exit 2; }
    rm -rf "$OUT"
fi

# --- Set-up: genesis, the four charters, secretariats and delegations (September 2026) ---
at 2026-09-01T09:00:00Z
L init "$OUT" --origin "$ORIGIN" --operator-key "$(key "$ORIGIN")" >/dev/null
L forum charter "$OUT" --key "$(key "$ORIGIN")" --all >/dev/null
for f in G7 Quad CPTPP RCEP; do
    L secretariat register "$OUT" --key "$(key "$ORIGIN")" --forum "$f" --vkey "$(vkey "$f-secretariat.demo")" >/dev/null
done
at 2026-09-02T09:00:00Z
for f in G7 Quad CPTPP RCEP; do
    for p in $(parties "$f"); do
        L delegation register "$OUT" --key "$(key "$f-secretariat.demo")" --forum "$f" --party "$p" \
            --vkey "$(L key show "$(d "$f" "$p")")" >/dev/null
    done
done

# --- G7: EUV lithography and etch tools; amended, then adopted ---
at 2026-09-15T10:00:00Z
L propose "$OUT" --key "$(d G7 JP)" --file "$PROPS/G7-SME-2026-01.yaml" >/dev/null
at 2026-09-16T10:00:00Z
position G7 G7-SME-2026-01 US support
position G7 G7-SME-2026-01 GB support
position G7 G7-SME-2026-01 DE object "3B993 scope captures legacy-node etch tools; servicing of installed base must continue"
position G7 G7-SME-2026-01 FR reserve "Scrutiny reserve pending the interministerial review"
at 2026-10-01T10:00:00Z
L amend "$OUT" G7-SME-2026-01 --key "$(d G7 JP)" --file "$PROPS/G7-SME-2026-01-rev2.yaml" >/dev/null
at 2026-10-02T10:00:00Z
for p in JP US GB DE FR IT CA; do position G7 G7-SME-2026-01 "$p" support; done
position G7 G7-SME-2026-01 EU no-objection
L decide "$OUT" G7-SME-2026-01 --key "$(key G7-secretariat.demo)" --outcome adopted \
    --note "Adopted by consensus at the G7 export-control experts' meeting" >/dev/null

# --- G7: worldwide 3B993 requirement; blocked by DE ---
at 2026-10-05T10:00:00Z
L propose "$OUT" --key "$(d G7 US)" --file "$PROPS/G7-SME-2026-02.yaml" >/dev/null
at 2026-10-06T10:00:00Z
position G7 G7-SME-2026-02 JP support
position G7 G7-SME-2026-02 GB no-objection
position G7 G7-SME-2026-02 DE object "A worldwide licence requirement on 3B993 goes beyond the agreed country scope"
position G7 G7-SME-2026-02 IT abstain
L decide "$OUT" G7-SME-2026-02 --key "$(key G7-secretariat.demo)" --outcome blocked --note "DE objection recorded" >/dev/null

# --- G7: quantum controls; withdrawn by the US in favour of the Quad text ---
at 2026-10-07T10:00:00Z
L propose "$OUT" --key "$(d G7 US)" --file "$PROPS/G7-QC-2026-01.yaml" >/dev/null
at 2026-10-08T10:00:00Z
position G7 G7-QC-2026-01 CA support
at 2026-10-20T10:00:00Z
L withdraw "$OUT" G7-QC-2026-01 --key "$(d G7 US)" --reason "Pursued in the Quad as Quad-QC-2026-01" >/dev/null

# --- Quad: quantum computers (4A906) and components; adopted ---
at 2026-10-20T11:00:00Z
L propose "$OUT" --key "$(d Quad US)" --file "$PROPS/Quad-QC-2026-01.yaml" >/dev/null
at 2026-10-22T09:00:00Z
position Quad Quad-QC-2026-01 JP support
position Quad Quad-QC-2026-01 AU support
position Quad Quad-QC-2026-01 IN reserve "Study reserve: impact on the National Quantum Mission supply chain"
at 2026-11-03T09:00:00Z
position Quad Quad-QC-2026-01 IN no-objection
position Quad Quad-QC-2026-01 US support
L decide "$OUT" Quad-QC-2026-01 --key "$(key Quad-secretariat.demo)" --outcome adopted >/dev/null

# --- CPTPP: critical-mineral information sharing under a silence procedure (until 2027) ---
at 2026-11-05T09:00:00Z
L propose "$OUT" --key "$(d CPTPP AU)" --file "$PROPS/CPTPP-CRM-2026-01.yaml" >/dev/null
at 2026-11-06T09:00:00Z
position CPTPP CPTPP-CRM-2026-01 JP support
position CPTPP CPTPP-CRM-2026-01 GB support
position CPTPP CPTPP-CRM-2026-01 NZ support
position CPTPP CPTPP-CRM-2026-01 MY reserve "Data-protection review of company-level figures"
L append "$OUT" --key "$(d CPTPP CR)" --kind note \
    --body '{"text":"Costa Rica (accession candidate) welcomes CPTPP-CRM-2026-01 and would join the exchange on accession."}' >/dev/null

# --- CPTPP: accession of Costa Rica (a charter amendment), open ---
at 2026-11-10T09:00:00Z
L propose "$OUT" --key "$(d CPTPP NZ)" --file "$PROPS/CPTPP-ACC-CR.yaml" >/dev/null
at 2026-11-11T09:00:00Z
for p in NZ AU CA CL GB; do position CPTPP CPTPP-ACC-CR "$p" support; done

# --- RCEP: trade facilitation overlapping the G7 control; the first text is superseded ---
at 2026-11-12T09:00:00Z
L propose "$OUT" --key "$(d RCEP CN)" --file "$PROPS/RCEP-TF-2026-01.yaml" >/dev/null
at 2026-11-13T09:00:00Z
position RCEP RCEP-TF-2026-01 KH support
at 2026-11-18T09:00:00Z
L propose "$OUT" --key "$(d RCEP CN)" --file "$PROPS/RCEP-TF-2026-02.yaml" >/dev/null
at 2026-11-19T09:00:00Z
position RCEP RCEP-TF-2026-02 CN support
position RCEP RCEP-TF-2026-02 KH support
position RCEP RCEP-TF-2026-02 LA support
position RCEP RCEP-TF-2026-02 JP reserve "Overlaps G7-SME-2026-01 (3B001.f.1, 3B993, HS 8486.20 to CN)"
position RCEP RCEP-TF-2026-02 KR reserve "Study reserve: consistency with Korea's strategic-items controls"

# --- Final checkpoint, cosigned by two delegations acting as witnesses ---
at 2026-11-27T18:00:00Z
L checkpoint "$OUT" --sign --key "$(key "$ORIGIN")" > "$OUT/.checkpoint.note"
for w in G7-JP.demo G7-US.demo; do
    L cosign "$OUT/.checkpoint.note" --key "$(key "$w")" --vkey "$(vkey "$ORIGIN")" > "$OUT/.cosigned.note"
    L checkpoint "$OUT" --attach "$OUT/.cosigned.note" --witness "$(L key show "$(key "$w")" --cosigner)" >/dev/null
done
rm -f "$OUT/.checkpoint.note" "$OUT/.cosigned.note"

L verify "$OUT" --vkey "$(vkey "$ORIGIN")" \
    --witness "$(L key show "$(key G7-JP.demo)" --cosigner)" --witness "$(L key show "$(key G7-US.demo)" --cosigner)" \
    --min-cosignatures 2 >&2
L board "$OUT"
