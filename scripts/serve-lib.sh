# Sourced by scripts that need `ledger serve` running on a free loopback port.
#
#   serve_start LEDGER_BIN DIR WORK [SERVE OPTIONS…]
#     starts `LEDGER_BIN serve DIR --port 0 …` in the background (its stdout and stderr in WORK),
#     waits for the URL it prints, and sets $server (the pid) and $url; on failure prints the
#     server's log and returns 1.
#   serve_stop
#     stops it with SIGTERM (graceful) and waits; safe to call twice, or from a trap.
server=
url=
serve_start() {
  local bin=$1 dir=$2 work=$3
  shift 3
  "$bin" serve "$dir" --port 0 "$@" >"$work/serve.url" 2>"$work/serve.log" &
  server=$!
  for _ in $(seq 300); do
    [ -s "$work/serve.url" ] && break
    kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; server=; return 1; }
    sleep 0.1
  done
  url=$(head -1 "$work/serve.url")
  [ -n "$url" ] || { echo "ledger serve printed no URL" >&2; cat "$work/serve.log" >&2; return 1; }
}
serve_stop() {
  if [ -n "$server" ]; then
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=
  fi
}
