#!/usr/bin/env bash
# Builds the libFuzzer harnesses of Fuzz/ (with AddressSanitizer, LeakSanitizer included) and
# runs each in turn, from its seed corpus in Fuzz/corpus/<name>/, for SECONDS (default 60).
# Prints each harness's executions and coverage and the total; exits 1 if any harness
# crashes, leaks, runs out of memory or times out (its input is kept, see below), and 2 if
# the build fails. See specs/fuzzing.md.
#
# Usage: scripts/fuzz.sh [SECONDS] [HARNESS...]      e.g. scripts/fuzz.sh 5;  scripts/fuzz.sh 60 json note
#   FUZZ_RUNS=N        run each harness for N inputs instead of SECONDS (then SECONDS is a cap)
#   FUZZ_NICE=N        niceness of the fuzzers (default 19: the machine is shared)
#   FUZZ_TIMEOUT=S     an input that runs longer than S seconds is a failure (default 60)
#   FUZZ_OUT=DIR       logs, grown corpora and crash inputs (default Fuzz/.build/fuzz-out)
#   FUZZ_SMOKE=1       when the toolchain cannot build fuzzers (no libFuzzer runtime), say so
#                      and exit 0 instead of 2: for CI, which must not fail for that reason
#   FUZZ_RESUME=1      start from the corpora grown by the last run too, not only the seeds
#   FUZZ_MERGE=1       merge the new inputs that add coverage into Fuzz/corpus/<name>/
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SECONDS_EACH=${1:-60}
shift || true
ALL=(json entry note tlogproof proofjson keys proposalyaml proposaljson listcsv listjson listtext euannex)
HARNESSES=("$@")
[ ${#HARNESSES[@]} -gt 0 ] || HARNESSES=("${ALL[@]}")
OUT=${FUZZ_OUT:-$ROOT/Fuzz/.build/fuzz-out}
NICE=${FUZZ_NICE:-19}

# Executable target and -max_len of each harness.
target() {
    case $1 in
    json) echo FuzzJSON ;; entry) echo FuzzEntry ;; note) echo FuzzNote ;; tlogproof) echo FuzzTlogProof ;;
    proofjson) echo FuzzProofJSON ;; keys) echo FuzzKeys ;; proposalyaml) echo FuzzProposalYAML ;;
    proposaljson) echo FuzzProposalJSON ;; listcsv) echo FuzzListCSV ;; listjson) echo FuzzListJSON ;;
    listtext) echo FuzzListText ;; euannex) echo FuzzEUAnnex ;;
    *) echo "unknown harness $1 (one of: ${ALL[*]})" >&2; exit 2 ;;
    esac
}
maxlen() {
    case $1 in
    entry | json | listjson | euannex) echo 65536 ;;
    keys) echo 1024 ;;
    note) echo 8192 ;;
    *) echo 16384 ;;
    esac
}
for h in "${HARNESSES[@]}"; do target "$h" >/dev/null; done

unavailable() {
    echo "fuzz: $1" >&2
    if [ "${FUZZ_SMOKE:-}" = 1 ]; then
        echo "fuzz: SKIPPED: this toolchain cannot build libFuzzer harnesses (smoke run, not a failure)" >&2
        exit 0
    fi
    exit 2
}

# The fuzzer runtime (libclang_rt.fuzzer) ships with the Swift toolchain for Linux; a
# toolchain without it cannot link -sanitize=fuzzer, and nothing from apt can fix that.
mkdir -p "$OUT"
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
cat >"$probe/probe.swift" <<'EOF'
@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ d: UnsafePointer<UInt8>?, _ n: Int) -> CInt { 0 }
EOF
if ! swiftc -sanitize=fuzzer,address -parse-as-library "$probe/probe.swift" -o "$probe/probe" >"$probe/log" 2>&1; then
    sed 's/^/  /' "$probe/log" | grep -v "Cannot export" | tail -5 >&2
    unavailable "swiftc cannot link a -sanitize=fuzzer,address program"
fi

echo "fuzz: building the harnesses (Fuzz/, debug, -sanitize=fuzzer,address)" >&2
BUILD=(swift build -c debug --package-path Fuzz
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
    -Xcc -fsanitize=fuzzer-no-link,address)
if ! "${BUILD[@]}" >"$OUT/build.log" 2>&1; then
    grep -v "Cannot export local symbol" "$OUT/build.log" | grep -E "error|warning: " | head -20 >&2 || true
    echo "fuzz: build failed, see $OUT/build.log" >&2
    exit 2
fi
BIN=$("${BUILD[@]}" --show-bin-path)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
# Swift's own crash backtracer trips ASan; libFuzzer reports the trap itself.
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}
# Seeds that are never committed (an excerpt of ../shared/data's EU Annex, the published
# test and demo private keys): written at run time under Fuzz/.build/corpus-extra.
python3 Fuzz/make-corpus.py --extra >/dev/null
failed=()
total=0
printf '%-13s %-6s %12s %9s %7s %8s %6s\n' harness result execs exec/s cov ft corp
for h in "${HARNESSES[@]}"; do
    t=$(target "$h")
    work="$OUT/corpus/$h"
    [ "${FUZZ_RESUME:-}" = 1 ] || rm -rf "$work"
    rm -rf "$OUT/crash/$h"
    mkdir -p "$work" "$OUT/crash/$h"
    cp Fuzz/corpus/"$h"/* "$work"/
    if [ -d Fuzz/.build/corpus-extra/"$h" ]; then cp Fuzz/.build/corpus-extra/"$h"/* "$work"/; fi
    # -print_funcs=0: naming each newly covered function runs llvm-symbolizer over a large
    # debug binary, which a loaded machine can take minutes to do.
    args=(-max_len="$(maxlen "$h")" -rss_limit_mb=2048 -timeout="${FUZZ_TIMEOUT:-60}" -print_final_stats=1 -print_funcs=0
        -artifact_prefix="$OUT/crash/$h/" -max_total_time="$SECONDS_EACH")
    [ -n "${FUZZ_RUNS:-}" ] && args+=(-runs="$FUZZ_RUNS")
    log="$OUT/$h.log"
    set +e
    nice -n "$NICE" "$BIN/$t" "${args[@]}" "$work" >"$log" 2>&1
    rc=$?
    set -e
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    # The last status line: "#N DONE cov: C ft: F corp: K/..." (or the last line before a crash).
    last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
    result=ok
    if [ "$rc" != 0 ] || grep -qE '^==[0-9]+==ERROR|^SUMMARY: (Address|Leak)Sanitizer|deadly signal|ERROR: libFuzzer' "$log"; then
        result=FAIL
        failed+=("$h")
    fi
    total=$((total + ${execs:-0}))
    printf '%-13s %-6s %12s %9s %7s %8s %6s\n' "$h" "$result" "${execs:--}" "${rate:--}" "${cov:--}" "${ft:--}" "${corp:--}"
    if [ "$result" = FAIL ]; then
        grep -E 'ERROR|SUMMARY|Fatal error|Test unit written' "$log" | head -5 | sed 's/^/    /'
    fi
    if [ "${FUZZ_MERGE:-}" = 1 ] && [ "$result" = ok ]; then
        nice -n "$NICE" "$BIN/$t" -merge=1 -max_len="$(maxlen "$h")" Fuzz/corpus/"$h" "$work" >"$OUT/$h.merge.log" 2>&1
    fi
done
printf '%-13s %-6s %12s\n' total "" "$total"
echo "fuzz: logs and grown corpora in $OUT"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: FAILED: ${failed[*]} (inputs in $OUT/crash/<harness>/; log in $OUT/<harness>.log)" >&2
    exit 1
fi
