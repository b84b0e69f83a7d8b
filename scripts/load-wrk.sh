#!/usr/bin/env bash
# HTTP load test of `ledger serve` with wrk (issue 12 §7), on 127.0.0.1 only, bounded in count and
# time: scripts/load.sh (ledger-bench load) measures appends open-loop; this one also measures
# tile reads against a static file and a kill -9 under load.
#
#   scripts/load-wrk.sh [--statements N] [--duration S] [--connections C] [--workdir DIR] [--json]
#                       [--reads-only] [--reader epoll|wrk]
#
# Builds release binaries, prepares a ledger and N pre-signed statements
# (`ledger-bench load-prepare`), starts `ledger serve` with the operator key, and measures with
# wrk (Debian's package; installed when missing):
#   1. durable appends/s through HTTP (POST /api/v1/entries, signatures checked, group commit),
#      against the raw Ed25519 verify rate measured in the same run (`ledger-bench bench`);
#   2. p99 append latency at about half that rate;
#   3. tile reads/s, against a static file served by the same server (an in-memory asset): the
#      Merkle tree tiles (C2SP's hash tiles, 8 KiB each when full), then entry bundles apart (in
#      MB/s too: a full bundle is 256 whole entries) and the two mixed. The reads are sent by
#      `ledger-bench load-reads` (one thread, epoll: about 8 us of CPU a request, half of
#      wrk's with a Lua request list, which matters when generator and server share two cores);
#      --reader wrk sends them with wrk instead;
#   4. kill -9 of the server mid-load: every acknowledged entry is at its acknowledged index
#      with its acknowledged leaf hash after a restart, nothing is duplicated, the rest can
#      be posted, and `ledger verify` passes;
#   5. 5xx replies in all of the above (target 0).
# Each wrk run stops when its statements are sent or after --duration seconds.
# --reads-only appends the N statements with `ledger append --signed`, signs a checkpoint, serves
# the ledger without the write API and runs step 3 alone.
# Each read run also prints the CPU time per request of the server and of the generator (/proc, and the
# shell's `times`), and the load average after the run: steadier than the rate on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."

statements=120000
duration=10
connections=64
workdir=""
json=0
reads_only=0
reader=epoll
while [ $# -gt 0 ]; do
  case "$1" in
    --statements) statements="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --workdir) workdir="$2"; shift 2 ;;
    --json) json=1; shift ;;
    --reads-only) reads_only=1; shift ;;
    --reader) reader="$2"; shift 2 ;;
    -h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "load-wrk.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$reader" in epoll|wrk) ;; *) echo "load-wrk.sh: --reader epoll or wrk" >&2; exit 2 ;; esac
case "$statements$duration$connections" in *[!0-9]*) echo "load-wrk.sh: numbers expected" >&2; exit 2 ;; esac
[ "$statements" -ge 1000 ] && [ "$statements" -le 2000000 ] || { echo "load-wrk.sh: --statements 1000 to 2000000" >&2; exit 2; }
[ "$duration" -ge 1 ] && [ "$duration" -le 120 ] || { echo "load-wrk.sh: --duration 1 to 120" >&2; exit 2; }

if ! command -v wrk >/dev/null; then
  echo "load-wrk.sh: installing wrk" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
say() { echo "load-wrk.sh: $*" >&2; }

say "building release binaries"
swift build -c release 2>&1 | tail -1 >&2
bin=.build/release
work=${workdir:-$(mktemp -d /tmp/ledger-load.XXXXXX)}
mkdir -p "$work"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [ -z "$workdir" ] && rm -rf "$work"
}
trap cleanup EXIT

start_server() { # [options of ledger serve]
  : > "$work/url"
  "$bin/ledger" serve "$work/ledger" --port 0 --log-level error "$@" >"$work/url" 2>>"$work/serve.log" &
  server_pid=$!
  for _ in $(seq 1 100); do [ -s "$work/url" ] && break; sleep 0.1; done
  [ -s "$work/url" ] || { say "the server did not start: $(tail -3 "$work/serve.log")"; exit 1; }
  url=$(head -1 "$work/url")
}
write_options=(--operator-key "$work/op.key" --checkpoint-interval 1 --rate-limit 1000000 --max-pending 100000)

say "preparing a ledger and $statements signed statements in $work"
rm -rf "$work/ledger" "$work/op.key"
"$bin/ledger-bench" load-prepare --dir "$work/ledger" --operator-key "$work/op.key" \
  --bodies "$work/all.jsonl" --statements "$statements" >&2

if [ "$reads_only" = 1 ]; then
  say "appending them with ledger append --signed and signing a checkpoint"
  "$bin/ledger" append "$work/ledger" --signed "$work/all.jsonl" > /dev/null
  "$bin/ledger" checkpoint "$work/ledger" --sign --key "$work/op.key" > /dev/null
  start_server
else
  # A third of the statements for each of: the peak run, the half-rate run, the kill -9 run.
  third=$((statements / 3))
  split -l "$third" -d -a 1 "$work/all.jsonl" "$work/part."

  say "measuring the raw verify limit (ledger-bench bench --suite core)"
  limits=$("$bin/ledger-bench" bench --suite core --entries 20000 --json 2>/dev/null)
fi

threads=2
run_post() { # name bodies delay-ms [ack-prefix]
  wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 10s -s scripts/load/post.lua "$url" \
    -- "$2" "$threads" "$3" ${4:+"$4"} | grep '^LOAD ' | sed "s/^LOAD /$1 /"
}

if [ "$reads_only" = 0 ]; then
  start_server "${write_options[@]}"
  say "1. peak append rate ($connections connections, up to ${duration} s)"
  peak=$(run_post peak "$work/part.0" 0)
  echo "$peak" >&2
  rate=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1].split(" ",1)[1]); s=d["statuses"]; print(int(sum(v for k,v in s.items() if k.startswith("2"))/d["seconds"]))' "$peak")
  # Half the rate: each connection waits so that C connections together send about rate/2 a second.
  half_conn=16
  delay=$(python3 -c "print(max(1, round($half_conn * 1000 / max(1, $rate / 2))))")
  say "2. latency at about half that rate ($half_conn connections, ${delay} ms between requests)"
  connections_saved=$connections; connections=$half_conn
  half=$(run_post half "$work/part.1" "$delay")
  connections=$connections_saved
  echo "$half" >&2
  sleep 2 # a checkpoint covering the appends
fi

say "3. tile reads against a static file"
size=$(curl -sf "$url/checkpoint" | sed -n 2p)
python3 - "$size" > "$work/paths" <<'PY'
import sys
n = int(sys.argv[1])
def p(k):
    s = f"{k:03d}"
    parts = []
    while len(s) > 3:
        parts.insert(0, s[-3:]); s = s[:-3]
    parts.insert(0, s)
    return "/".join(("x" + q if i < len(parts) - 1 else q) for i, q in enumerate(parts)) if len(parts) > 1 else parts[0]
full = n // 256
for k in range(min(full, 2000)):
    print(f"/tile/0/{p(k)}")
    print(f"/tile/entries/{p(k)}")
for k in range(min(n // 65536, 50)):
    print(f"/tile/1/{p(k)}")
PY
static_path=${LOAD_STATIC_PATH:-/static/dashboard.css}
echo "$static_path" > "$work/static"
# Every path once, over one keep-alive connection: each must be 200 (the timed runs count only
# replies above 399, see scripts/load/get.lua).
python3 - "$url" "$work/paths" "$work/static" <<'PY' >&2
import http.client, sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
paths = [l.strip() for f in sys.argv[2:] for l in open(f) if l.strip()]
for path in paths:
    c.request("GET", path)
    r = c.getresponse()
    r.read()
    if r.status != 200:
        sys.exit(f"load-wrk.sh: GET {path}: {r.status}")
print(f"load-wrk.sh: {len(paths)} paths checked, all 200")
PY
server_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
run_get() { # name paths-file: the LOAD line, with the CPU seconds of the server and of wrk
  local before out line server client load
  before=$(server_ticks)
  # `times` (second line: the children's user and system time) gives the generator's CPU time.
  if [ "$reader" = wrk ]; then
    out=$(wrk -t2 -c64 -d"${duration}s" -s scripts/load/get.lua "$url" -- "$2" ${LOAD_STATUSES:+statuses} \
      | grep '^LOAD '; times)
  else
    out=$(echo "LOAD $("$bin/ledger-bench" load-reads --port "${url##*:}" --paths "$2" --seconds "$duration" \
      --connections 64)"; times)
  fi
  client=$(echo "$out" | tail -1 | awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/);
    print u[1] * 60 + u[2] + s[1] * 60 + s[2] }')
  server=$(awk "BEGIN { print ($(server_ticks) - $before) / $(getconf CLK_TCK) }")
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  line=$(echo "$out" | head -1)
  line=${line#LOAD }
  echo "$1 ${line%\}},\"server_cpu_s\":$server,\"client_cpu_s\":$client,\"loadavg\":\"$load\"}"
}
tiles=$(run_get tiles "$work/paths")
echo "$tiles" >&2
static=$(run_get static "$work/static")
echo "$static" >&2
# The same tiles by kind: hash tiles (8 KiB) are near the static file's size; entry bundles are
# 256 whole entries each, and measure bytes as much as requests.
grep -v '^/tile/entries/' "$work/paths" > "$work/paths.hashes"
grep '^/tile/entries/' "$work/paths" > "$work/paths.entries"
hash_tiles=$(run_get hashtiles "$work/paths.hashes")
echo "$hash_tiles" >&2
bundles=$(run_get bundles "$work/paths.entries")
echo "$bundles" >&2

if [ "$reads_only" = 1 ]; then
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
  verify_status=0; limits='{}'; peak=""; half=""; after=""
else
  say "4. kill -9 mid-load, restart, continue"
  rm -f "$work/acks".*
  run_post crash "$work/part.2" 0 "$work/acks" > "$work/crash.out" &
  wrk_pid=$!
  sleep 2
  kill -9 "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
  wait "$wrk_pid" || true
  start_server "${write_options[@]}"
  after=$(run_post resume "$work/part.2" 0)
  echo "$after" >&2
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
  "$bin/ledger" log "$work/ledger" --json > "$work/log.jsonl"
  verify_status=0
  "$bin/ledger" verify "$work/ledger" > "$work/verify.out" 2>&1 || verify_status=$?
fi

python3 - "$work" "$statements" "$verify_status" "$json" "$limits" "$peak" "$half" "$tiles" "$static" "$after" \
  "$hash_tiles" "$bundles" <<'PY'
import glob, json, sys
work, statements = sys.argv[1], int(sys.argv[2])
verify_status, as_json, limits = int(sys.argv[3]), sys.argv[4] == "1", json.loads(sys.argv[5])
runs = {}
for arg in sys.argv[6:]:
    if not arg: continue  # a write run skipped by --reads-only
    name, text = arg.split(" ", 1)
    runs[name] = json.loads(text)
writes = "peak" in runs
log = [json.loads(l) for l in open(work + "/log.jsonl")] if writes else []
acked = {}
for f in glob.glob(work + "/acks.*"):
    for line in open(f):
        i, leaf = line.split()
        acked[int(i)] = leaf
lost = [i for i, leaf in acked.items() if i >= len(log) or log[i]["leafHash"] != leaf]
sigs = [e["sig"] for e in log]
duplicated = len(sigs) - len(set(sigs))
def ok(run): return sum(v for k, v in run["statuses"].items() if k.startswith("2"))
# The read runs count "4xx/5xx" together (scripts/load/get.lua): all of them count as 5xx here.
def fivexx(run): return sum(v for k, v in run["statuses"].items() if k.startswith("5") or k == "4xx/5xx")
tile_rate = runs["tiles"]["requests"] / runs["tiles"]["seconds"]
static_rate = runs["static"]["requests"] / runs["static"]["seconds"]
# Every path was checked 200 before the runs; a timed read run counts replies above 399 only.
def all_ok(run): return all(k in ("200", "2xx", "2xx/3xx") for k in runs[run]["statuses"])
tiles_ok, static_ok = all_ok("tiles"), all_ok("static")
def rate(run): return runs[run]["requests"] / runs[run]["seconds"]
def mb_per_s(run): return runs[run]["bytes"] / runs[run]["seconds"] / 1e6
def per_request_kb(run): return runs[run]["bytes"] / max(1, runs[run]["requests"]) / 1e3
def cpu_note(run):
    r = runs[run]
    n = max(1, r["requests"])
    return (f"CPU/request: server {r['server_cpu_s'] / n * 1e6:.1f} us, generator {r['client_cpu_s'] / n * 1e6:.1f} us; "
            f"load {r['loadavg']}")
static_note = f"{static_rate:.0f}/s, {mb_per_s('static'):.0f} MB/s, {per_request_kb('static'):.1f} kB a reply"
figures = []
if writes:
    verify_limit = next(f for f in limits["figures"] if f["name"].startswith("limit: raw Ed25519 verify"))
    verify_rate = float(verify_limit["value"]) * limits["cores"]
    peak_rate = ok(runs["peak"]) / runs["peak"]["seconds"]
    half_rate = ok(runs["half"]) / runs["half"]["seconds"]
    figures += [
        ("durable appends/s through HTTP", peak_rate, ">= 10000", peak_rate >= 10000,
         f"{peak_rate / verify_rate:.2f} of the raw verify rate ({verify_rate:.0f}/s on {limits['cores']} cores)"),
        ("p99 append latency at half rate (ms)", runs["half"]["p99_ms"], "< 50", runs["half"]["p99_ms"] < 50,
         f"at {half_rate:.0f} appends/s; p50 {runs['half']['p50_ms']} ms"),
    ]
figures += [
    ("tile reads/s (Merkle tree tiles)", rate("hashtiles"), ">= 50000", rate("hashtiles") >= 50000 and all_ok("hashtiles"),
     f"{rate('hashtiles') / static_rate:.2f} of a static file ({static_note})" + ("" if static_ok else " (static file NOT 200)")
     + f"; a hash tile {per_request_kb('hashtiles'):.1f} kB a reply; {cpu_note('hashtiles')}"),
    ("  the static file, reads/s", static_rate, "all 200", static_ok, cpu_note("static")),
    ("  entry bundles alone, reads/s", rate("bundles"), "all 200", all_ok("bundles"),
     f"{mb_per_s('bundles'):.0f} MB/s, {per_request_kb('bundles'):.1f} kB a reply; "
     f"{mb_per_s('bundles') / mb_per_s('static'):.2f} of the static file's MB/s; {cpu_note('bundles')}"),
    ("  tiles and bundles mixed, reads/s", tile_rate, "all 200", tiles_ok,
     f"{tile_rate / static_rate:.2f} of the static file; {mb_per_s('tiles'):.0f} MB/s; {cpu_note('tiles')}"),
]
if writes:
    figures += [
    ("acknowledged entries lost after kill -9", len(lost), "0", not lost, f"of {len(acked)} acknowledged"),
    ("entries duplicated", duplicated, "0", duplicated == 0, f"ledger verify exit {verify_status}"),
    ]
figures += [
    ("5xx replies", sum(fivexx(r) for r in runs.values()), "0", all(fivexx(r) == 0 for r in runs.values()), ""),
]
if as_json:
    print(json.dumps({"runs": runs, "figures": [dict(zip(["name", "value", "target", "met", "note"], f)) for f in figures]}))
else:
    for name, value, target, met, note in figures:
        v = f"{value:.2f}" if isinstance(value, float) else str(value)
        print(f"{name:42} {v:>12}  target {target:9} {'met' if met else 'NOT MET':8} {note}")
sys.exit(0 if verify_status == 0 and not lost and duplicated == 0 else 1)
PY
