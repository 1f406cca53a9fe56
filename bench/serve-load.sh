#!/usr/bin/env bash
# Load on `chexnet serve` at 127.0.0.1: p50/p99 latency and throughput of single-image
# POST /api/v1/predict (a real 1024x1024 NIH PNG, decoded and resized by the server) with a full
# DenseNet-121 (random weights, exported as a SavedModel) at SIZE, with 1 and 8 concurrent
# closed-loop clients. Each level stops after REQUESTS answers or MAX_SECONDS, whichever first.
# Needs the built CLI: mvn -B -o -pl cli-module -am -DskipTests -Dfmt.skip package
#   bench/serve-load.sh [SIZE] [REQUESTS] [MAX_SECONDS] [MAX_BATCH] [WINDOW_MS]
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-224}" requests="${2:-200}" max_seconds="${3:-120}" max_batch="${4:-8}" window_ms="${5:-5}"
export TF_CPP_MIN_LOG_LEVEL=1
cp="cli-module/target/lib/*:cli-module/target/chexnet.jar"
png=serving-module/src/test/resources/xray/00000282_000.png
work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

java -cp "$cp" bench/ServeLoadBench.java export "$size" "$work/saved_model"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
java -jar cli-module/target/chexnet.jar serve --model "$work/saved_model" --host 127.0.0.1 \
  --port "$port" --max-batch "$max_batch" --batch-window-ms "$window_ms" > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do
  if curl -sf "http://127.0.0.1:$port/health" > /dev/null; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then cat "$work/serve.log"; exit 1; fi
  sleep 0.2
done
curl -sf "http://127.0.0.1:$port/health" > /dev/null || { cat "$work/serve.log"; exit 1; }
echo "DenseNet-121 at ${size}x${size}; max batch $max_batch, window ${window_ms} ms; cores: $(nproc); $(java -version 2>&1 | head -1)"
for clients in 1 8; do
  java -cp "$cp" bench/ServeLoadBench.java load "http://127.0.0.1:$port" "$png" "$clients" "$requests" "$max_seconds"
done
