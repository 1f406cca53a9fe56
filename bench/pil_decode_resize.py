"""Peer: the same decode+resize as ImageDecoder (any NIH PNG to 224x224 8-bit gray; Pillow's BOX
filter averages the source area under each output pixel, as ours does) in 1 and THREADS worker
processes (processes, not threads, so the GIL does not serialise Python-side work).
Run by bench/data-pipeline.sh: pil_decode_resize.py IMAGES_DIR ROUNDS THREADS."""
import json
import multiprocessing
import os
import statistics
import sys
import time

import PIL
from PIL import Image

SIZE = 224


def decode(path):
    with Image.open(path) as image:
        gray = image.convert("L").resize((SIZE, SIZE), Image.Resampling.BOX)
        return gray.getpixel((SIZE // 2, SIZE // 2))


def main():
    images_dir, rounds, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    paths = sorted(
        os.path.join(images_dir, name) for name in os.listdir(images_dir) if name.endswith(".png")
    )
    for path in paths:
        with open(path, "rb") as f:
            f.read()  # warm the page cache, as the Java side does
    for workers in sorted({1, threads}):
        with multiprocessing.Pool(workers) as pool:
            pool.map(decode, paths)  # warm-up
            rates = []
            for _ in range(rounds):
                t0 = time.perf_counter()
                pool.map(decode, paths, chunksize=max(1, len(paths) // (4 * workers)))
                rates.append(len(paths) / (time.perf_counter() - t0))
        print(
            json.dumps(
                {
                    "impl": "pillow-" + PIL.__version__,
                    "work": "decode_resize_224",
                    "threads": workers,
                    "images": len(paths),
                    "rounds": rounds,
                    "median_images_per_s": round(statistics.median(rates), 1),
                }
            )
        )


if __name__ == "__main__":
    main()
