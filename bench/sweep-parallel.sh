#!/usr/bin/env bash
# Wall time of the quickstart learning-rate sweep (experiments/quickstart-sweep.yaml, 4 trials)
# with --parallel 1 and --parallel 2, each in a fresh working directory with the synthetic data
# written beforehand (so only the trials are timed). Needs the built CLI (./chexnet --help).
#   bench/sweep-parallel.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
export TF_CPP_MIN_LOG_LEVEL=2
for parallel in 1 2; do
  work="$(mktemp -d)"
  cp -r "$repo/experiments" "$work/"
  (cd "$work" && "$repo/chexnet" data synth --out data/quickstart --images 1200 --image-size 128 --seed 7 > /dev/null)
  start=$(date +%s.%N)
  (cd "$work" && "$repo/chexnet" sweep experiments/quickstart-sweep.yaml --parallel "$parallel" > sweep.log 2>&1)
  end=$(date +%s.%N)
  printf '{"parallel": %d, "wall_s": %.1f, "trials_finished": %d}\n' "$parallel" \
    "$(echo "$end - $start" | bc)" "$(grep -c '| FINISHED |' "$work"/mlruns/*/*/artifacts/sweep-summary.md)"
  rm -rf "$work"
done
