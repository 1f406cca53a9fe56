"""Peer of bench/DataPipelineBench.java: the same decode+resize to 224x224 8-bit gray (Pillow's BOX
filter averages the source area under each output pixel, as ours does) in 1 and THREADS worker
processes (processes, not threads, so the GIL does not serialise Python-side work), for each image
set the benchmark wrote:
  png       NIH PNGs (8-bit gray and RGBA): open, convert("L"), resize BOX;
  png16     the same as 16-bit gray holding 12-bit values: decoded, resized in float, scaled by
            the real bit range (as ours) to 8 bits;
  jpeg*     JPEGs: "plain" decodes the whole image, "draft" first asks libjpeg for a DCT-scaled
            decode no smaller than 224 (Image.draft("L", (224, 224))), as ours does.
Then compares outputs: ours (written by the Java side as raw 224x224 bytes) against Pillow and
against the full decode + exact area average the Java side also wrote, mean and max abs difference.
Run by bench/data-pipeline.sh: pil_decode_resize.py WORK_DIR ROUNDS THREADS."""
import json
import multiprocessing
import os
import statistics
import sys
import time

import PIL
from PIL import Image

SIZE = 224


def plain(path):
    with Image.open(path) as image:
        if image.mode.startswith("I"):
            return sixteen_bit(image)
        return image.convert("L").resize((SIZE, SIZE), Image.Resampling.BOX).tobytes()


def draft(path):
    with Image.open(path) as image:
        image.draft("L", (SIZE, SIZE))
        return image.convert("L").resize((SIZE, SIZE), Image.Resampling.BOX).tobytes()


def sixteen_bit(image):
    floats = image.convert("F")
    largest = int(floats.getextrema()[1])
    scale = 255.0 / ((1 << max(8, largest.bit_length())) - 1)
    resized = floats.resize((SIZE, SIZE), Image.Resampling.BOX)
    return resized.point(lambda v: v * scale + 0.5).convert("L").tobytes()


def rate(pool, work, paths, workers, rounds):
    pool.map(work, paths)  # warm-up
    rates = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        pool.map(work, paths, chunksize=max(1, len(paths) // (4 * workers)))
        rates.append(len(paths) / (time.perf_counter() - t0))
    return statistics.median(rates)


def load(directory, names):
    """The Java side's raw 224x224 outputs by name, or None when it wrote none there."""
    if not os.path.isdir(directory):
        return None
    outputs = {}
    for name in names:
        with open(os.path.join(directory, name + ".gray"), "rb") as f:
            outputs[name] = f.read()
    return outputs


def differences(a, b):
    total, worst, count = 0, 0, 0
    for name in a:
        for x, y in zip(a[name], b[name]):
            total += abs(x - y)
            worst = max(worst, abs(x - y))
            count += 1
    return round(total / count, 4), worst


def main():
    work_dir, rounds, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    for image_set in sorted(os.listdir(os.path.join(work_dir, "sets"))):
        directory = os.path.join(work_dir, "sets", image_set)
        names = sorted(os.listdir(directory))
        paths = [os.path.join(directory, name) for name in names]
        for path in paths:
            with open(path, "rb") as f:
                f.read()  # warm the page cache, as the Java side does
        modes = [("plain", plain)] + ([("draft", draft)] if image_set.startswith("jpeg") else [])
        outputs = {}
        for mode, work in modes:
            outputs[mode] = {name: work(path) for name, path in zip(names, paths)}
            for workers in sorted({1, threads}):
                with multiprocessing.Pool(workers) as pool:
                    r = rate(pool, work, paths, workers, rounds)
                print(json.dumps({
                    "impl": "pillow-" + PIL.__version__ + ("" if mode == "plain" else "-draft"),
                    "work": "decode_resize_224_" + image_set, "threads": workers,
                    "images": len(paths), "rounds": rounds, "median_images_per_s": round(r, 1)}))
        compared = [("pillow-draft", outputs.get("draft"), "pillow-plain", outputs["plain"])]
        for reference in ("ours", "full"):
            theirs = load(os.path.join(work_dir, reference, image_set), names)
            compared += [(reference, theirs, "pillow-" + mode, outputs[mode]) for mode in outputs]
        for a_name, a, b_name, b in compared:
            if a is not None:
                mean_abs, max_abs = differences(a, b)
                print(json.dumps({"compare": a_name + " vs " + b_name, "set": image_set,
                                  "mean_abs": mean_abs, "max_abs": max_abs}))

if __name__ == "__main__":
    main()
