#!/usr/bin/env bash
# Full DenseNet-121 training step and inference (batch 16, 224x224): ours, Keras' and PyTorch's,
# each in float32 and in mixed bfloat16, one after the other in the same sitting, with peak
# resident memory of each process. Ours runs with the launcher's JVM options (-XX:+UseSerialGC).
# Needs the built CLI (./chexnet --help builds it), Debian's python3-torch/python3-torchvision and,
# for the Keras peer, the pinned tensorflow-cpu of bench/requirements-keras.txt (installed here).
#   bench/train-step.sh [batch] [size] [steps]
set -euo pipefail
cd "$(dirname "$0")/.."
batch="${1:-16}" size="${2:-224}" steps="${3:-7}"
export TF_CPP_MIN_LOG_LEVEL=1
peak() { grep -o 'Maximum resident set size (kbytes): [0-9]*' "$1" | grep -o '[0-9]*$' | awk '{printf "%.2f GiB\n", $1/1048576}'; }
# float32 (the default), float32 with train.memory_efficient, mixed bfloat16.
for variant in "float32 false" "float32 true" "mixed_bfloat16 false"; do
  set -- $variant
  /usr/bin/time -v java -XX:+UseSerialGC -cp "cli-module/target/lib/*" bench/TrainStepBench.java \
    "$batch" "$size" "$steps" "$1" "$2" 2> "/tmp/bench-java-$1-$2.time"
  echo "chexnet-java $1 memory_efficient=$2 peak RSS: $(peak "/tmp/bench-java-$1-$2.time")"
done
keras="$(tools/setup-venv.sh bench/requirements-keras.txt)"
for precision in float32 mixed_bfloat16; do
  /usr/bin/time -v "$keras/python" bench/keras_train_step.py "$batch" "$size" "$steps" "$precision" \
    2> "/tmp/bench-keras-$precision.time"
  echo "keras $precision peak RSS: $(peak "/tmp/bench-keras-$precision.time")"
done
for precision in float32 mixed_bfloat16; do
  /usr/bin/time -v /usr/bin/python3 bench/pytorch_train_step.py "$batch" "$size" "$steps" "$precision" \
    2> "/tmp/bench-torch-$precision.time"
  echo "pytorch $precision peak RSS: $(peak "/tmp/bench-torch-$precision.time")"
done
