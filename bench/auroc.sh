#!/usr/bin/env bash
# All 14 AUROCs of 25,596 images (NIH's official test list size) and a 1000-replicate bootstrap
# of them: ours (bench/AurocBench.java through the evaluation module) and scikit-learn's
# (bench/sklearn_auroc.py), on the same generated predictions, one after the other, both pinned
# to the same CPUs. Needs the built CLI jars (cli-module/target/lib) and python3 for the venv.
#   bench/auroc.sh [images] [replicates] [cpus]      defaults: 25596 1000 0,1
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
images="${1:-25596}" replicates="${2:-1000}" cpus="${3:-0,1}" seed=42
python="$(tools/setup-venv.sh bench/requirements-sklearn.txt)/python"
build_cli_unless_built evaluation-module-0.1.0-SNAPSHOT.jar
pin_to_cpus "$cpus"
data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT
"$python" bench/sklearn_auroc.py generate "$data" "$images" "$seed"
"${pin[@]}" java -cp "cli-module/target/lib/*" bench/AurocBench.java "$data" "$replicates" "$seed"
OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 "${pin[@]}" \
  "$python" bench/sklearn_auroc.py time "$data" "$replicates" "$seed"
