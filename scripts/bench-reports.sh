#!/usr/bin/env bash
# bench-reports.sh — the team reports at a big team's scale (issue 13).
#
# Builds release; seeds the demo team into a template file (`nextstep demo`), then builds
# a database of N calls through the store's own ingest path (`examples/scale_db.rs`:
# the demo's judged calls replicated over one rep per 2,500 calls, each stored with
# `Store::add_call`, facts and step in the call's transaction); starts `nextstep serve
# --workers 0` on it beside one `nextstep worker` process (which fits the forecast models
# and the backtest charts and stores them; the server only reads them) and times, with curl, the coaching API, the forecast API and the
# coach, team and forecast pages: first (the first request the server serves), cold (the
# first request right after a write — a next step set by hand, then a call stored with
# `calls add` — which makes the cached report catch up with the writes) and warm (the
# median of 5). Then times the digest command (a separate process). Prints a Markdown
# table row per report and the server's peak resident memory (VmHWM).
#
# Usage: scripts/bench-reports.sh [N_CALLS]   (default 50,000)
# Env:   DB=postgres://…/empty_db to bench PostgreSQL (or a file); BUILT=1 with DB reuses a
#        database built by an earlier run; KEEP=1 keeps the temp dir; BIN=path times
#        another build of `nextstep` (an older commit's) on the same database;
#        SERVER_ONLY=1 skips the command-line reports (digest, coach, forecast).
set -euo pipefail

n="${1:-50000}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log() { printf '==> %s\n' "$*" >&2; }

log "building release"
cargo build --release -q -p nextstep
cargo build --release -q -p nextstep-server --example scale_db
bin="${BIN:-$root/target/release/nextstep}"

tmp="$(mktemp -d)"
# A worker stops gracefully only after its running fit (minutes at 500k): killed, so it
# does not run on beside the next benchmark.
cleanup() { [[ -n "${server_pid:-}" ]] && kill "$server_pid" 2>/dev/null; [[ -n "${worker_pid:-}" ]] && kill -9 "$worker_pid" 2>/dev/null; [[ "${KEEP:-}" == 1 ]] || rm -rf "$tmp"; }
trap cleanup EXIT
db="${DB:-$tmp/bench.db}"

if [[ -n "${BUILT:-}" ]]; then
  log "using the database built before: $db"
else
  log "seeding the demo team as the template"
  "$bin" --db "$tmp/demo.db" demo --today 2026-09-01 >/dev/null
  log "building $n calls into $db"
  /usr/bin/time -f "build: %e s, peak RSS %M KB" "$root/target/release/examples/scale_db" "$tmp/demo.db" "$db" "$n"
fi

"$bin" --db "$db" user add bench-admin@example.com --role admin >/dev/null 2>&1 || true
token="$("$bin" --db "$db" token create --user bench-admin@example.com 2>/dev/null)"
port=$((20000 + RANDOM % 20000))
NEXTSTEP_LOG=warn "$bin" --db "$db" serve --bind "127.0.0.1:$port" --workers 0 >"$tmp/server.log" 2>&1 &
server_pid=$!
NEXTSTEP_LOG=warn "$bin" --db "$db" worker --workers 1 >"$tmp/worker.log" 2>&1 &
worker_pid=$!
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
rss() { awk '/VmHWM/ {print $2}' "/proc/${1:-$server_pid}/status"; }
log "server at rest: peak RSS $(rss) KB"

# A write anywhere: the caches must rebuild on the next request.
deal="$("$bin" --db "$db" deals list --open --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')"
write_step() { "$bin" --db "$db" next-step set "$deal" --action "Bench step $RANDOM" --defined-by prospect >/dev/null; }
write_call() { "$bin" --db "$db" calls add --deal "$deal" --date 2026-08-31 "$root/examples/calls/02-zoom-bail-out-2026-04-15.vtt" >/dev/null; }
get() { curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "http://127.0.0.1:$port$1"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# The first forecast ever starts the worker's first fit and is answered 503 ("being
# fitted") until it is stored: ask every two seconds until it answers.
started=$SECONDS
until [[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/forecast")" == 200 ]]; do
  (( SECONDS - started < 1800 )) || { log "no forecast after 30 minutes"; exit 1; }
  sleep 2
done
log "first forecast ever (the worker's first fit stored): $(( SECONDS - started )) s"
printf '| calls | request | first | cold after a step written | cold after a call stored | warm p50 | server peak RSS |\n|---|---|---|---|---|---|---|\n'
for path in /api/v1/coach /api/v1/forecast /coach /team /forecast; do
  first="$(get "$path")"
  write_step
  after_step="$(get "$path")"
  write_call
  after_call="$(get "$path")"
  warm="$(for _ in 1 2 3 4 5; do get "$path"; done | median)"
  printf '| %s | `GET %s` | %.3f s | %.3f s | %.3f s | %.3f s | %s MB |\n' "$n" "$path" "$first" "$after_step" "$after_call" "$warm" "$(( $(rss) / 1024 ))"
done
if [[ -r "/proc/$worker_pid/status" ]]; then
  log "worker peak RSS: $(( $(rss "$worker_pid") / 1024 )) MB"
else
  log "the worker is not running: $(tail -1 "$tmp/worker.log")"
fi
[[ -n "${SERVER_ONLY:-}" ]] && exit 0
week="$(python3 -c 'import datetime; y,w,_=datetime.date(2026,8,31).isocalendar(); print(f"{y}-W{w:02d}")')"
/usr/bin/time -f "digest: %e s, peak RSS %M KB" "$bin" --db "$db" digest --week "$week" --out "$tmp/digests" >/dev/null
/usr/bin/time -f "coach --json: %e s, peak RSS %M KB" "$bin" --db "$db" coach --json >/dev/null
/usr/bin/time -f "forecast --json: %e s, peak RSS %M KB" "$bin" --db "$db" forecast --json --today 2026-09-01 >/dev/null
