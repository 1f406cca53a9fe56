#!/usr/bin/env bash
# Input pipeline throughput, ours and Pillow's in the same sitting:
#  1. decode+resize to 224x224 gray, ImageDecoder vs Pillow (BOX), on 1 and THREADS workers, for
#     four image sets written here from the NIH PNGs (not committed):
#       png             the PNGs themselves (8-bit gray and RGBA, 1024x1024);
#       png16           16-bit gray PNGs holding 12-bit values (as DICOM exports such as PadChest);
#       jpeg1024        JPEG quality 95 at 1024x1024 (decoded at 1/4 scale in the DCT domain);
#       jpeg2500x3000   upscaled to MIMIC-CXR-JPG's size, JPEG quality 95 (decoded at 1/8);
#     Pillow decodes JPEGs plainly and with Image.draft("L", (224, 224)) (DCT scaling, as ours);
#     pixel differences: ours vs Pillow, and JPEGs vs a full decode + exact area average;
#  2. ready float batches (shuffled, seeded flips, ImageNet normalisation, 3 channels, batch 16)
#     from the prepared uint8 cache through BatchLoader, on 1 and THREADS loader threads;
#  3. a summary: ratios to Pillow, and the time to prepare all of NIH (112,120 PNGs) and of
#     MIMIC-CXR-JPG (377,110 JPEGs) on 2 and on 16 cores, projected from the 1- and 2-worker rates.
# Needs the built CLI (mvn -B -o -pl cli-module -am -DskipTests package: cli-module/target/lib)
# and python3 (tools/setup-venv.sh installs the pinned Pillow of bench/requirements-pillow.txt).
#   bench/data-pipeline.sh [IMAGES_DIR] [ROUNDS] [THREADS] [BATCH_IMAGES]
# IMAGES_DIR defaults to the 48 shared NIH images (../shared/data/chestxray14/images).
# JAVA_OPTS is passed to the JVM.
set -euo pipefail
cd "$(dirname "$0")/.."
images="$(realpath "${1:-../shared/data/chestxray14/images}")"
rounds="${2:-5}" threads="${3:-2}" batch_images="${4:-4096}"
python="$(tools/setup-venv.sh bench/requirements-pillow.txt)/python"

# A ChestX-ray14-layout directory over the PNGs (links), for ChestXray14 and the cache.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/data/images" "$work/sets/png" "$work/sets/png16" "$work/sets/jpeg1024" \
  "$work/sets/jpeg2500x3000"
echo "Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y]" \
  > "$work/data/Data_Entry_2017_v2020.csv"
for png in "$images"/*.png; do
  name="$(basename "$png")"
  ln -s "$png" "$work/data/images/$name"
  ln -s "$png" "$work/sets/png/$name"
  echo "$name,No Finding,$((10#${name:9:3})),$((10#${name:0:8})),50,M,PA,1024,1024,0.143,0.143" \
    >> "$work/data/Data_Entry_2017_v2020.csv"
done
: > "$work/data/train_val_list.txt"
: > "$work/data/test_list.txt"
"$python" - "$images" "$work/sets" <<'PY'
import os, sys
from PIL import Image
images, sets = sys.argv[1], sys.argv[2]
for name in sorted(n for n in os.listdir(images) if n.endswith(".png")):
    gray = Image.open(os.path.join(images, name)).convert("L")
    stem = name[:-4]
    # 12-bit values (0..4080) in a 16-bit PNG, no sBIT chunk.
    gray.point(lambda v: v * 16, "I").convert("I;16").save(os.path.join(sets, "png16", name))
    gray.save(os.path.join(sets, "jpeg1024", stem + ".jpg"), quality=95)
    gray.resize((2500, 3000), Image.Resampling.BICUBIC).save(
        os.path.join(sets, "jpeg2500x3000", stem + ".jpg"), quality=95)
PY
echo "images: $(ls "$work/sets/png" | wc -l) from $images; cores: $(nproc); $(java -version 2>&1 | head -1)"

# shellcheck disable=SC2086
java ${JAVA_OPTS:-} -cp "cli-module/target/lib/*" bench/DataPipelineBench.java \
  "$work/data" "$work" "$rounds" "$threads" "$batch_images" | tee "$work/results.jsonl"
"$python" bench/pil_decode_resize.py "$work" "$rounds" "$threads" | tee -a "$work/results.jsonl"
"$python" bench/data_pipeline_summary.py "$work/results.jsonl" "$threads"
