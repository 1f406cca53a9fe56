"""The summary of bench/data-pipeline.sh: per image set and worker count, ours and Pillow's rates
(plain and, for JPEGs, draft) with the ratios; and the time to prepare NIH's 112,120 PNGs and
MIMIC-CXR-JPG's 377,110 JPEGs at 224 on 2 and 16 cores, projected from our measured rates: on
THREADS cores the measured THREADS-worker rate; on 16 cores 16 x the 1-worker rate x the parallel
efficiency measured at THREADS workers (rate / (THREADS x 1-worker rate)), assumed to hold.
Usage: data_pipeline_summary.py RESULTS.jsonl THREADS"""
import json
import sys

DATASETS = [("NIH ChestX-ray14", 112_120, "png"), ("MIMIC-CXR-JPG", 377_110, "jpeg2500x3000")]


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
    threads = int(sys.argv[2])
    rates = {}
    for row in rows:
        if row.get("work", "").startswith("decode_resize_224_"):
            image_set = row["work"][len("decode_resize_224_"):]
            impl = "ours" if row["impl"] == "chexnet-java" else (
                "draft" if row["impl"].endswith("-draft") else "plain")
            rates[(image_set, impl, row["threads"])] = row["median_images_per_s"]
    print("\n| images | workers | ours (img/s) | Pillow (img/s) | ours / Pillow "
          "| Pillow draft (img/s) | ours / draft |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for image_set, impl, workers in sorted(k for k in rates if k[1] == "ours"):
        ours = rates[(image_set, "ours", workers)]
        plain = rates.get((image_set, "plain", workers))
        draft = rates.get((image_set, "draft", workers))
        print(f"| {image_set} | {workers} | {ours:.1f} | {plain:.1f} | {ours / plain:.2f}x | "
              + (f"{draft:.1f} | {ours / draft:.2f}x |" if draft else "n/a | n/a |"))
    print("\n| dataset | images | on 2 cores | on 16 cores |")
    print("| --- | --- | --- | --- |")
    for dataset, count, image_set in DATASETS:
        one = rates.get((image_set, "ours", 1))
        many = rates.get((image_set, "ours", threads))
        if not one or not many:
            continue
        efficiency = many / (threads * one)
        two_cores = many if threads == 2 else 2 * one * efficiency
        sixteen = 16 * one * efficiency
        print(f"| {dataset} | {count:,} | {count / two_cores / 60:.1f} min ({two_cores:.0f} img/s) "
              f"| {count / sixteen / 60:.1f} min ({sixteen:.0f} img/s) |")
    for row in rows:
        if "compare" in row:
            print(f"pixels, {row['set']}: {row['compare']}: mean abs {row['mean_abs']}, "
                  f"max abs {row['max_abs']}")


if __name__ == "__main__":
    main()
