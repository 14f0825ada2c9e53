#!/usr/bin/env bash
# Rebuilds the shipped step chooser (crates/nextstep-analyzer/model/steps.json) from every
# labelled call in the repository: the corpus and the fresh sets that have had their first
# run. A fresh set joins this list only after its first-run score is recorded
# (tests/fresh/README.md), so that score stays a first run.
#
#   bash scripts/train-steps.sh [BIN]     (default: target/release/nextstep)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-target/release/nextstep}"
args=()
for f in tests/corpus/labels-*.jsonl; do args+=(--calls "$f:tests/corpus/calls"); done
for s in $(cat crates/nextstep-analyzer/model/steps-sets.txt); do
  args+=(--calls "tests/fresh/$s/labels.jsonl")
done
exec "$BIN" train-steps "${args[@]}" --out crates/nextstep-analyzer/model/steps.json
