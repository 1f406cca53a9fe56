#!/usr/bin/env bash
# How far the two bf16 options move a full DenseNet-121's probabilities from float32, after 0 and
# after 5 training steps on the same seeded batch (the probabilities come from the float32
# inference pass, so only what training did differs):
#   onednn-bf16:    ONEDNN_DEFAULT_FPMATH_MODE=BF16 (float32 graph, bf16 inside oneDNN's
#                   convolutions and products, in training and inference)
#   mixed_bfloat16: train.precision: mixed_bfloat16 (bf16 activations in the training pass)
#   bench/precision-parity.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
parity() {
  java -cp "cli-module/target/lib/*" bench/PrecisionParity.java "$work/f32-$1" "$1" float32
  ONEDNN_DEFAULT_FPMATH_MODE=BF16 java -cp "cli-module/target/lib/*" bench/PrecisionParity.java "$work/onednn-bf16-$1" "$1" float32
  java -cp "cli-module/target/lib/*" bench/PrecisionParity.java "$work/mixed_bfloat16-$1" "$1" mixed_bfloat16
  for mode in onednn-bf16 mixed_bfloat16; do
    python3 - "$work/f32-$1" "$work/$mode-$1" "$1" "$mode" <<'PY'
import struct, sys
a = open(sys.argv[1], "rb").read(); b = open(sys.argv[2], "rb").read()
x = struct.unpack(">%df" % (len(a) // 4), a); y = struct.unpack(">%df" % (len(b) // 4), b)
d = [abs(p - q) for p, q in zip(x, y)]
print('{"mode": "%s", "steps": %s, "probabilities": %d, "max_abs_diff": %.2e, "mean_abs_diff": %.2e}' % (sys.argv[4], sys.argv[3], len(d), max(d), sum(d) / len(d)))
PY
  done
}
parity 0
parity 5
