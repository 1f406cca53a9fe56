#!/usr/bin/env bash
# Every benchmark of BENCHMARKS.md in one sitting, one after the other (run it on a quiet
# machine): train step vs Keras and PyTorch, input pipeline vs Pillow, AUROC vs scikit-learn,
# calibration and subgroups vs scikit-learn and pandas, sweep parallelism, serving load, and the
# quickstart end to end (in a scratch directory).
#   bench/all.sh > bench.log 2>&1
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
date; lscpu | grep -E "Model name|^CPU\(s\)"
mvn -B -q -pl cli-module -am -DskipTests -Dfmt.skip package
bench/train-step.sh 16 224 7
bench/data-pipeline.sh ../shared/data/chestxray14/images 5 2 4096
bench/auroc.sh 25596 1000 0,1
bench/calibration.sh 25596 1000 20 0,1
bench/dataset-metadata.sh 5 0,1
bench/sweep-parallel.sh
bench/serve-load.sh 224 200 120
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r experiments "$work/"
for i in 1 2 3; do
  (cd "$work" && rm -rf data mlruns \
    && /usr/bin/time -f "quickstart wall %e s, peak RSS %M KB" "$repo/chexnet" run experiments/quickstart.yaml 2>&1 \
    | grep -E "quickstart wall|Mean test AUROC")
done
date
