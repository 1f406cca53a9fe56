"""Peer of bench/AurocBench.java: the same 14 AUROCs and percentile bootstrap with scikit-learn.

  python sklearn_auroc.py generate DIR IMAGES SEED   # writes DIR/predictions.csv, DIR/labels.txt
  python sklearn_auroc.py time DIR REPLICATES SEED   # one JSON line per measurement

Pinned (Python 3.11): numpy==2.4.6 scikit-learn==1.9.1 (bench/auroc.sh makes the venv).
"""
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import sklearn
from sklearn.metrics import roc_auc_score

CLASSES = [
    "Atelectasis", "Cardiomegaly", "Effusion", "Infiltration", "Mass", "Nodule", "Pneumonia",
    "Pneumothorax", "Consolidation", "Edema", "Emphysema", "Fibrosis", "Pleural_Thickening",
    "Hernia",
]
# Share of positives per class in NIH's official test list (25,596 images).
PREVALENCE = [0.120, 0.042, 0.181, 0.237, 0.068, 0.062, 0.022,
              0.105, 0.074, 0.036, 0.043, 0.017, 0.045, 0.003]


def generate(out, images, seed):
    rng = np.random.default_rng(seed)
    labels = (rng.random((images, len(CLASSES))) < PREVALENCE).astype(np.int8)
    logits = rng.normal(size=labels.shape) + 1.5 * labels
    scores = 1 / (1 + np.exp(-logits))
    out.mkdir(parents=True, exist_ok=True)
    names = [f"{i:08d}_000.png" for i in range(images)]
    with open(out / "predictions.csv", "w") as f:
        f.write("Image Index," + ",".join("prob_" + c for c in CLASSES) + "\n")
        for name, row in zip(names, scores):
            # Six decimals, as chexnet predict writes: ties appear, as in real predictions.
            f.write(name + "," + ",".join(f"{v:.6f}" for v in row) + "\n")
    with open(out / "labels.txt", "w") as f:
        for name, row in zip(names, labels):
            f.write(name + " " + " ".join(str(v) for v in row) + "\n")


def load(directory):
    """The labels and the predictions (float32, as read) that generate wrote."""
    p = np.loadtxt(directory / "predictions.csv", delimiter=",", skiprows=1,
                   usecols=range(1, 15), dtype=np.float32)
    y = np.loadtxt(directory / "labels.txt", usecols=range(1, 15), dtype=np.int8)
    return y, p


def aurocs(y, p):
    return [roc_auc_score(y[:, c], p[:, c]) for c in range(y.shape[1])]


def bootstrap(y, p, replicates, seed):
    rng = np.random.default_rng(seed)
    n = y.shape[0]
    per_class = [[] for _ in range(y.shape[1])]
    means = []
    for _ in range(replicates):
        idx = rng.integers(0, n, n)
        yr, pr = y[idx], p[idx]
        row = []
        for c in range(y.shape[1]):
            if 0 < yr[:, c].sum() < n:
                value = roc_auc_score(yr[:, c], pr[:, c])
                per_class[c].append(value)
                row.append(value)
        if len(row) == y.shape[1]:
            means.append(sum(row) / len(row))
    return np.percentile(means, [2.5, 97.5]), [np.percentile(v, [2.5, 97.5]) for v in per_class]


def main():
    mode, directory = sys.argv[1], Path(sys.argv[2])
    if mode == "generate":
        generate(directory, int(sys.argv[3]), int(sys.argv[4]))
        return
    replicates, seed = int(sys.argv[3]), int(sys.argv[4])
    truth, data = load(directory)
    timings = []
    for _ in range(7):
        t0 = time.perf_counter()
        values = aurocs(truth, data)
        timings.append(time.perf_counter() - t0)
    base = {"impl": "scikit-learn " + sklearn.__version__, "images": len(truth)}
    print(json.dumps({**base, "work": "14 AUROCs", "median_s": statistics.median(timings),
                      "mean_auroc": sum(values) / len(values)}))
    t0 = time.perf_counter()
    mean_ci, _ = bootstrap(truth, data, replicates, seed)
    seconds = time.perf_counter() - t0
    print(json.dumps({**base, "work": f"bootstrap {replicates} replicates x 14 AUROCs",
                      "s": seconds, "mean_auroc_ci": list(mean_ci)}))


if __name__ == "__main__":
    main()
