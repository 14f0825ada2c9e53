#!/usr/bin/env bash
# bench-vs-rg.sh — how much slower is judging calls than just grepping them for cues?
#
# The project target is: `nextstep analyze` over a corpus within 2x the time of
# `rg -c -F -i -f phrases.txt` over the same corpus (phrases.txt = every plain cue phrase
# of the analyzer's lexicon), i.e. understanding a call may cost at most a few grep passes.
#
# Steps: build release; generate N synthetic one-hour calls (default 200) with the
# `gen_calls` example into a temp dir; dump the cue phrases; time both tools (hyperfine
# with --warmup 2 --runs 10 when installed, else the median of 10 timed runs after 2
# warm-ups); print a side-by-side table.
#
# Usage: scripts/bench-vs-rg.sh [N_CALLS]
# Env:   KEEP=1 keeps the temp dir; SEED=<n> changes the corpus; MINUTES=<n> call length.
set -euo pipefail

calls="${1:-200}"
if ! [[ "$calls" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [N_CALLS]   (N_CALLS: a positive number, default 200)" >&2
    exit 2
fi
seed="${SEED:-42}"
minutes="${MINUTES:-60}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

log() { printf '==> %s\n' "$*" >&2; }

# --- tools -------------------------------------------------------------------------------

# apt-get needs root; use sudo when we are not root and it is available.
as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else return 1
    fi
}

apt_install() { # apt_install PACKAGE: try as-is, then after `apt-get update`
    command -v apt-get >/dev/null 2>&1 || return 1
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null 2>&1 && return 0
    log "apt-get install $1 failed; running apt-get update and retrying"
    as_root apt-get update -qq >/dev/null 2>&1 || return 1
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null 2>&1
}

if ! command -v rg >/dev/null 2>&1; then
    log "installing ripgrep"
    if ! apt_install ripgrep; then
        log "apt could not install ripgrep; trying cargo install ripgrep"
        cargo install --locked ripgrep >&2
        export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
    fi
fi
command -v rg >/dev/null 2>&1 || { echo "error: rg is not available" >&2; exit 1; }

if ! command -v hyperfine >/dev/null 2>&1; then
    log "hyperfine not found; trying apt (optional)"
    apt_install hyperfine || log "hyperfine unavailable; falling back to a timing loop"
fi

# --- build and corpus --------------------------------------------------------------------

log "building release binary and generator"
cargo build --release -p nextstep >&2
cargo build --release -p nextstep-synth --example gen_calls >&2

target_dir="${CARGO_TARGET_DIR:-$root/target}"
nextstep="$target_dir/release/nextstep"
gen="$target_dir/release/examples/gen_calls"

work="$(mktemp -d "${TMPDIR:-/tmp}/nextstep-bench.XXXXXX")"
if [[ "${KEEP:-0}" == 1 ]]; then
    log "keeping $work"
else
    trap 'rm -rf "$work"' EXIT
fi
corpus="$work/calls"

log "generating $calls calls of $minutes minutes (seed $seed) into $corpus"
"$gen" "$corpus" "$calls" --minutes "$minutes" --seed "$seed"
# The generator writes sellers.txt next to the calls; move it out so neither tool reads
# it as a transcript (`analyze` walks .txt files).
mv "$corpus/sellers.txt" "$work/sellers.txt"

"$nextstep" rules --phrases >"$work/phrases.txt"
phrases=$(wc -l <"$work/phrases.txt")

files=$(find "$corpus" -type f | wc -l)
bytes=$(find "$corpus" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')

# Sanity: both commands must succeed on this corpus before we time them.
"$nextstep" analyze --json "$corpus" >"$work/analysis.jsonl" ||
    { echo "error: nextstep analyze failed on the corpus (see above)" >&2; exit 1; }
analysed=$(wc -l <"$work/analysis.jsonl")
[[ "$analysed" -eq "$files" ]] ||
    { echo "error: nextstep analysed $analysed of $files files" >&2; exit 1; }
rg_status=0
rg -c -F -i -f "$work/phrases.txt" "$corpus" >/dev/null || rg_status=$?
[[ $rg_status -le 1 ]] || { echo "error: rg failed (exit $rg_status)" >&2; exit 1; }

# --- timing ------------------------------------------------------------------------------

ns_cmd="'$nextstep' analyze --json '$corpus' > /dev/null"
# rg exits 1 when nothing matches; that is not a failure of the benchmark.
rg_cmd="rg -c -F -i -f '$work/phrases.txt' '$corpus' > /dev/null || [ \$? -eq 1 ]"

# median: the median of the numbers on stdin, one per line.
median() {
    sort -g | awk '{a[NR] = $1} END {printf "%.6f\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

# time_runs CMD: prints "WALL CPU", the medians over 10 runs (after 2 warm-ups) of wall
# time and of CPU time (user + sys, all threads), in seconds.
time_runs() {
    local cmd="$1" i t0 t1 cpu
    local -a walls=() cpus=()
    local TIMEFORMAT='%3U %3S'
    for i in 1 2; do bash -c "$cmd"; done
    for i in $(seq 10); do
        t0=$(date +%s%N)
        cpu=$({ time bash -c "$cmd" 2>/dev/null; } 2>&1)
        t1=$(date +%s%N)
        walls+=("$(awk -v ns=$((t1 - t0)) 'BEGIN {print ns / 1e9}')")
        cpus+=("$(awk '{print $1 + $2}' <<<"$cpu")")
    done
    echo "$(printf '%s\n' "${walls[@]}" | median) $(printf '%s\n' "${cpus[@]}" | median)"
}

if command -v hyperfine >/dev/null 2>&1; then
    method="hyperfine median, --warmup 2 --runs 10"
    log "timing with hyperfine"
    hyperfine --warmup 2 --runs 10 --export-csv "$work/hyperfine.csv" \
        -n nextstep "$ns_cmd" -n rg "$rg_cmd" >&2
    # CSV columns: command,mean,stddev,median,user,system,min,max (user/system are means)
    read -r t_ns c_ns < <(awk -F, '$1 == "nextstep" {print $4, $5 + $6}' "$work/hyperfine.csv")
    read -r t_rg c_rg < <(awk -F, '$1 == "rg" {print $4, $5 + $6}' "$work/hyperfine.csv")
else
    method="median of 10 runs (date +%s%N), 2 warm-ups"
    log "timing nextstep (10 runs)"
    read -r t_ns c_ns < <(time_runs "$ns_cmd")
    log "timing rg (10 runs)"
    read -r t_rg c_rg < <(time_runs "$rg_cmd")
fi

# --- report ------------------------------------------------------------------------------

awk -v files="$files" -v bytes="$bytes" -v tns="$t_ns" -v trg="$t_rg" -v cns="$c_ns" -v crg="$c_rg" \
    -v phrases="$phrases" -v method="$method" -v cores="$(nproc 2>/dev/null || echo '?')" '
BEGIN {
    mb = bytes / 1e6
    printf "\ncorpus: %d files, %.1f MB (%.1f KB/call), %d cue phrases; %s; %s cores\n\n",
        files, mb, bytes / 1e3 / files, phrases, method, cores
    printf "%-34s %14s %14s\n", "", "nextstep", "rg -F -i -f"
    printf "%-34s %14.3f %14.3f\n", "wall time (s)", tns, trg
    printf "%-34s %14.3f %14.3f\n", "CPU time, user+sys (s)", cns, crg
    printf "%-34s %14.1f %14.1f\n", "throughput (MB/s, wall)", mb / tns, mb / trg
    printf "%-34s %14.0f %14s\n", "calls/s (wall)", files / tns, "-"
    printf "%-34s %14.2f %14s\n", "ms per call (wall, all cores)", tns * 1000 / files, "-"
    printf "%-34s %14.2f %14s\n", "ms CPU per call", cns * 1000 / files, "-"
    ratio = tns / trg
    printf "\nratio nextstep/rg, wall: %.2fx (target <= 2x): %s\n", ratio, (ratio <= 2 ? "MET" : "MISSED")
    if (crg > 0) printf "ratio nextstep/rg, CPU:  %.2fx (less sensitive to other load on the machine)\n", cns / crg
}'
