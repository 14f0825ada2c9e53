#!/usr/bin/env bash
# Scores the fresh validation sets in tests/fresh/ with a nextstep binary, named sellers
# and inferred sellers, with the act model and with the rules alone.
#
#   bash scripts/score-fresh.sh [BIN] [SETS...]    (default: target/release/nextstep, all)
#
# Needs ../shared/tools/score_analysis.py (the scorer the project is judged with). These
# numbers are NOT first-run figures once a set has been used for tuning: tests/fresh/README.md
# records each set's first run and which sets have since been looked at.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-target/release/nextstep}"
shift || true
SETS=("$@")
[[ ${#SETS[@]} -eq 0 ]] && SETS=(p q l s m t u v w x y z)
SCORER="${NEXTSTEP_SCORER:-../shared/tools/score_analysis.py}"
if [[ ! -f "$SCORER" ]]; then
  echo "score-fresh: no scorer at $SCORER (set NEXTSTEP_SCORER)" >&2
  exit 2
fi
RULES_ONLY="$(mktemp)"
trap 'rm -f "$RULES_ONLY"' EXIT
printf '#!/bin/sh\nexec %q "$@" --model none\n' "$(realpath "$BIN")" > "$RULES_ONLY"
chmod +x "$RULES_ONLY"
printf '%-4s %-10s %-10s %-10s %s\n' set model rules-only inferred "seller side (inferred)"
for s in "${SETS[@]}"; do
  dir="tests/fresh/$s"
  model=$(python3 "$SCORER" "$dir/labels.jsonl" "$dir" --bin "$BIN" | sed -n 's/^overall: \([0-9.]*\).*/\1/p')
  rules=$(python3 "$SCORER" "$dir/labels.jsonl" "$dir" --bin "$RULES_ONLY" | sed -n 's/^overall: \([0-9.]*\).*/\1/p')
  inferred_out=$(python3 "$SCORER" "$dir/labels.jsonl" "$dir" --bin "$BIN" --infer-sellers || true)
  inferred=$(sed -n 's/^overall: \([0-9.]*\).*/\1/p' <<<"$inferred_out")
  side=$(sed -n 's/^seller side *\([0-9.]*\).*/\1/p' <<<"$inferred_out")
  printf '%-4s %-10s %-10s %-10s %s\n' "$s" "$model" "$rules" "$inferred" "$side"
done
