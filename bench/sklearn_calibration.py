"""Peer of bench/CalibrationBench.java: per-class Brier score and ECE with scikit-learn's
brier_score_loss and calibration_curve, and per-subgroup AUROCs as a pandas group-by of
roc_auc_score, once and with a stratified bootstrap.

  python sklearn_calibration.py generate DIR IMAGES SEED   # predictions.csv, labels.txt, metadata.csv
  python sklearn_calibration.py time DIR REPLICATES SEED   # one JSON line per measurement

The bootstrap runs REPLICATES replicates (bench/calibration.sh passes fewer than ours: scikit-learn
takes minutes for 1,000) and reports the time per replicate and its linear extrapolation to 1,000.
Pinned (Python 3.11) in bench/requirements-sklearn.txt.
"""
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, roc_auc_score

from sklearn_auroc import CLASSES, generate as generate_predictions, load as load_predictions

BINS = 10
AGE_BANDS = ["0-19", "20-39", "40-59", "60-79", "80+"]
ATTRIBUTES = ["sex", "age", "view"]
THRESHOLD = 0.5


def generate(out, images, seed):
    generate_predictions(out, images, seed)
    rng = np.random.default_rng(seed + 1)
    names = [f"{i:08d}_000.png" for i in range(images)]
    # NIH-like shares: 56% male, ages 1 to 95 around 47, 40% AP.
    metadata = pd.DataFrame({
        "Image Index": names,
        "Patient Age": np.clip(rng.normal(47, 17, images), 1, 95).astype(int),
        "Patient Gender": np.where(rng.random(images) < 0.56, "M", "F"),
        "View Position": np.where(rng.random(images) < 0.4, "AP", "PA"),
    })
    metadata.to_csv(out / "metadata.csv", index=False)


def calibration(y, p):
    """Per class: Brier score and ECE from calibration_curve's bins."""
    edges = np.linspace(0.0, 1.0, BINS + 1)[1:-1]
    out = []
    for c in range(y.shape[1]):
        prob_true, prob_pred = calibration_curve(y[:, c], p[:, c], n_bins=BINS)
        counts = np.bincount(np.searchsorted(edges, p[:, c]), minlength=BINS)
        counts = counts[counts > 0]
        out.append((brier_score_loss(y[:, c], p[:, c]),
                    float(np.sum(counts / len(p) * np.abs(prob_pred - prob_true)))))
    return out


def subgroup_aurocs(frame, attributes=ATTRIBUTES):
    """Per attribute, a group-by of the AUROC and the FNR at the threshold, per class."""
    out = {}
    for attribute in attributes:
        def per_group(group):
            row = {}
            for c in CLASSES:
                y, p = group["y_" + c], group["p_" + c]
                row[c] = roc_auc_score(y, p) if 0 < y.sum() < len(y) else np.nan
                row["fnr_" + c] = np.mean(p[y == 1] < THRESHOLD) if y.sum() else np.nan
            return pd.Series(row)
        out[attribute] = frame.groupby(attribute, observed=True).apply(per_group)
    return out


def load(directory):
    y, p = load_predictions(directory)
    p = p.astype(np.float64)
    metadata = pd.read_csv(directory / "metadata.csv")
    frame = pd.DataFrame({"sex": metadata["Patient Gender"], "view": metadata["View Position"]})
    frame["age"] = pd.cut(metadata["Patient Age"], [0, 20, 40, 60, 80, np.inf], right=False,
                          labels=AGE_BANDS)
    for c, name in enumerate(CLASSES):
        frame["y_" + name] = y[:, c]
        frame["p_" + name] = p[:, c]
    return y, p, frame


def main():
    mode, directory = sys.argv[1], Path(sys.argv[2])
    if mode == "generate":
        generate(directory, int(sys.argv[3]), int(sys.argv[4]))
        return
    replicates, seed = int(sys.argv[3]), int(sys.argv[4])
    y, p, frame = load(directory)
    base = {"impl": f"scikit-learn {sklearn.__version__}, pandas {pd.__version__}",
            "images": len(y)}
    timings = []
    for _ in range(5):
        t0 = time.perf_counter()
        values = calibration(y, p)
        timings.append(time.perf_counter() - t0)
    print(json.dumps({**base, "work": "14 x (brier_score_loss + calibration_curve ECE)",
                      "median_s": statistics.median(timings),
                      "mean_ece": float(np.mean([e for _, e in values]))}))
    timings = []
    for _ in range(3):
        t0 = time.perf_counter()
        groups = subgroup_aurocs(frame)
        timings.append(time.perf_counter() - t0)
    print(json.dumps({**base, "work": "group-by roc_auc_score + FNR, 3 attributes x 14 classes",
                      "median_s": statistics.median(timings),
                      "sex_M_mean_auroc": float(groups["sex"].loc["M", CLASSES].mean())}))

    rng = np.random.default_rng(seed)
    n = len(y)
    t0 = time.perf_counter()
    for _ in range(replicates):
        idx = rng.integers(0, n, n)
        calibration(y[idx], p[idx])
        for attribute in ATTRIBUTES:
            draw = frame.groupby(attribute, observed=True, group_keys=False).sample(
                frac=1.0, replace=True, random_state=rng)
            subgroup_aurocs(draw, [attribute])
    per_replicate = (time.perf_counter() - t0) / replicates
    print(json.dumps({**base, "work": f"bootstrap, {replicates} replicates of calibration +"
                      " stratified subgroups (3 attributes)",
                      "s_per_replicate": per_replicate, "extrapolated_1000_s": 1000 * per_replicate}))


if __name__ == "__main__":
    main()
