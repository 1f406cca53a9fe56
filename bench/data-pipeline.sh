#!/usr/bin/env bash
# Input pipeline throughput, ours and Pillow's in the same sitting:
#  1. decode+resize of real 1024x1024 NIH PNGs to 224x224 gray: ImageDecoder vs Pillow (BOX),
#     on 1 and THREADS workers;
#  2. ready float batches (shuffled, seeded flips, ImageNet normalisation, 3 channels, batch 16)
#     from the prepared uint8 cache through BatchLoader, on 1 and THREADS loader threads.
# Needs the built CLI (mvn -B -o -pl cli-module -am -DskipTests package: cli-module/target/lib)
# and python3 (tools/setup-venv.sh installs the pinned Pillow of bench/requirements-pillow.txt).
#   bench/data-pipeline.sh [IMAGES_DIR] [ROUNDS] [THREADS] [BATCH_IMAGES]
# IMAGES_DIR defaults to the 48 shared NIH images (../shared/data/chestxray14/images).
# JAVA_OPTS is passed to the JVM (e.g. JAVA_OPTS=-XX:+UseParallelGC to compare collectors: decoding
# allocates several 1-4 MB arrays per image, which G1 treats as humongous).
set -euo pipefail
cd "$(dirname "$0")/.."
images="$(realpath "${1:-../shared/data/chestxray14/images}")"
rounds="${2:-5}" threads="${3:-2}" batch_images="${4:-4096}"
python="$(tools/setup-venv.sh bench/requirements-pillow.txt)/python"

# A ChestX-ray14-layout directory over the images (links), for ChestXray14 and the cache.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/images"
echo "Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y]" \
  > "$work/Data_Entry_2017_v2020.csv"
for png in "$images"/*.png; do
  name="$(basename "$png")"
  ln -s "$png" "$work/images/$name"
  echo "$name,No Finding,$((10#${name:9:3})),$((10#${name:0:8})),50,M,PA,1024,1024,0.143,0.143" \
    >> "$work/Data_Entry_2017_v2020.csv"
done
: > "$work/train_val_list.txt"
: > "$work/test_list.txt"
echo "images: $(ls "$work/images" | wc -l) from $images; cores: $(nproc); $(java -version 2>&1 | head -1)"

# shellcheck disable=SC2086
java ${JAVA_OPTS:-} -cp "cli-module/target/lib/*" bench/DataPipelineBench.java "$work" "$rounds" "$threads" "$batch_images"
"$python" bench/pil_decode_resize.py "$images" "$rounds" "$threads"
