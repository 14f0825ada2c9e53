#!/usr/bin/env bash
# The step chooser and offer model measured on calls they never saw: each fresh set is
# left out of training in turn, scored with the models trained on everything else, and
# compared with the rules' own pick (--steps none). Needs ../shared/tools/score_analysis.py.
#
#   bash scripts/steps-loso.sh [BIN] [SETS...]    (default: target/release/nextstep, all)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$(realpath "${1:-target/release/nextstep}")"
shift || true
ALL=($(cat crates/nextstep-analyzer/model/steps-sets.txt))
SETS=("$@")
[[ ${#SETS[@]} -eq 0 ]] && SETS=("${ALL[@]}")
SCORER="${NEXTSTEP_SCORER:-../shared/tools/score_analysis.py}"
[[ -f "$SCORER" ]] || { echo "steps-loso: no scorer at $SCORER (set NEXTSTEP_SCORER)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf '#!/bin/sh\nexec %q "$@" --steps none\n' "$BIN" > "$work/rules-pick"
chmod +x "$work/rules-pick"
overall() { python3 "$SCORER" "tests/fresh/$1/labels.jsonl" "tests/fresh/$1" --bin "$2" | sed -n 's/^overall: \([0-9.]*\).*/\1/p'; }
printf '%-4s %-12s %s\n' set rules-pick "chooser+offers (set left out)"
for x in "${SETS[@]}"; do
  args=()
  for f in tests/corpus/labels-*.jsonl; do args+=(--calls "$f:tests/corpus/calls"); done
  for s in "${ALL[@]}"; do [[ $s != "$x" ]] && args+=(--calls "tests/fresh/$s/labels.jsonl"); done
  "$BIN" train-steps "${args[@]}" --out "$work/$x.json" > /dev/null
  printf '#!/bin/sh\nexec %q "$@" --steps %q\n' "$BIN" "$work/$x.json" > "$work/left-out"
  chmod +x "$work/left-out"
  printf '%-4s %-12s %s\n' "$x" "$(overall "$x" "$work/rules-pick")" "$(overall "$x" "$work/left-out")"
done
