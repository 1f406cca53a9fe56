#!/usr/bin/env bash
# How far oneDNN's bf16 math mode (ONEDNN_DEFAULT_FPMATH_MODE=BF16: float32 graphs, bf16 inside
# convolutions and matrix products, on CPUs with AVX512-BF16/AMX) moves a full DenseNet-121's
# probabilities from float32: after 0 and after 5 training steps on the same seeded batch.
#   bench/precision-parity.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for steps in 0 5; do
  java -cp "cli-module/target/lib/*" bench/PrecisionParity.java "$work/f32-$steps" "$steps"
  ONEDNN_DEFAULT_FPMATH_MODE=BF16 java -cp "cli-module/target/lib/*" bench/PrecisionParity.java "$work/bf16-$steps" "$steps"
  python3 - "$work/f32-$steps" "$work/bf16-$steps" "$steps" <<'PY'
import struct, sys
a = open(sys.argv[1], "rb").read(); b = open(sys.argv[2], "rb").read()
x = struct.unpack(">%df" % (len(a) // 4), a); y = struct.unpack(">%df" % (len(b) // 4), b)
d = [abs(p - q) for p, q in zip(x, y)]
print('{"steps": %s, "probabilities": %d, "max_abs_diff": %.2e, "mean_abs_diff": %.2e}' % (sys.argv[3], len(d), max(d), sum(d) / len(d)))
PY
done
