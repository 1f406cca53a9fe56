#!/usr/bin/env bash
# Calibration (Brier and ECE of 14 classes) and subgroups (sex, age band, view: AUROC and FNR per
# subgroup, largest gaps) of 25,596 images, with bootstrap intervals: ours (bench/CalibrationBench.java
# through the evaluation module) and scikit-learn's calibration_curve / brier_score_loss with a
# pandas group-by of roc_auc_score (bench/sklearn_calibration.py), on the same generated
# predictions and metadata, one after the other, both pinned to the same CPUs. scikit-learn runs
# fewer replicates (it takes minutes for 1,000) and its time is extrapolated linearly.
# Needs the built CLI jars (cli-module/target/lib) and python3 for the venv.
#   bench/calibration.sh [images] [replicates] [sklearn replicates] [cpus]   defaults: 25596 1000 20 0,1
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
images="${1:-25596}" replicates="${2:-1000}" peer_replicates="${3:-20}" cpus="${4:-0,1}" seed=42
python="$(tools/setup-venv.sh bench/requirements-sklearn.txt)/python"
build_cli_unless_built evaluation-module-0.1.0-SNAPSHOT.jar
pin_to_cpus "$cpus"
data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT
"$python" bench/sklearn_calibration.py generate "$data" "$images" "$seed"
"${pin[@]}" java -cp "cli-module/target/lib/*" bench/CalibrationBench.java "$data" "$replicates" "$seed"
OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 "${pin[@]}" \
  "$python" bench/sklearn_calibration.py time "$data" "$peer_replicates" "$seed"
