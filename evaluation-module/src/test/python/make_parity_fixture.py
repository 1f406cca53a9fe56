# Test-only: writes the reference values the Java tests compare against (ParityTest), from
# scikit-learn and a numpy DeLong written here from Sun & Xu (2014), independently of the Java code.
# Pinned versions (Python 3.11):
#   numpy==2.4.6
#   scikit-learn==1.9.1
# Run by hand, then commit the JSON it writes:
#   python3 -m venv /tmp/eval-venv && /tmp/eval-venv/bin/pip install numpy==2.4.6 scikit-learn==1.9.1
#   /tmp/eval-venv/bin/python evaluation-module/src/test/python/make_parity_fixture.py
import json
import math
import pathlib

import numpy as np
import sklearn
from sklearn.metrics import (
    confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)

OUT = (
    pathlib.Path(__file__).resolve().parents[1]
    / "resources/org/chexnet/evaluation/parity-fixture.json"
)
Z975 = 1.959963984540054  # Phi^-1(0.975), as in Normal.java


def phi(x):
    # erfc keeps relative accuracy in the tails, where 1 - erf cancels.
    return 0.5 * math.erfc(-x / math.sqrt(2))


def midrank(x):
    order = np.argsort(x, kind="mergesort")
    z = x[order]
    ranks = np.zeros(len(x))
    i = 0
    while i < len(x):
        j = i
        while j < len(x) and z[j] == z[i]:
            j += 1
        ranks[i:j] = 0.5 * (i + j - 1) + 1  # 1-based midrank of positions i..j-1
        i = j
    out = np.empty(len(x))
    out[order] = ranks
    return out


def delong(predictions, labels):
    """predictions: [models x images]; returns (aucs, covariance) by Sun & Xu's midranks."""
    pos = labels == 1
    m, n = int(pos.sum()), int((~pos).sum())
    x, y = predictions[:, pos], predictions[:, ~pos]
    tx = np.array([midrank(r) for r in x])
    ty = np.array([midrank(r) for r in y])
    tz = np.array([midrank(r) for r in np.concatenate([x, y], axis=1)])
    aucs = tz[:, :m].sum(axis=1) / m / n - (m + 1.0) / 2.0 / n
    v10 = (tz[:, :m] - tx) / n  # per positive: share of negatives below it
    v01 = 1.0 - (tz[:, m:] - ty) / m  # per negative: share of positives above it
    cov = np.atleast_2d(np.cov(v10)) / m + np.atleast_2d(np.cov(v01)) / n
    return aucs, cov


def curve(y, s, drop):
    fpr, tpr, thr = roc_curve(y, s, drop_intermediate=drop)
    return {"fpr": fpr.tolist(), "tpr": tpr.tolist(), "thresholds": [float(t) for t in thr]}


def operating_point(y, s, threshold):
    pred = (s >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(y, pred, labels=[0, 1]).ravel()
    return {
        "threshold": float(threshold),
        "tp": int(tp), "fp": int(fp), "tn": int(tn), "fn": int(fn),
        "sensitivity": float(recall_score(y, pred, zero_division=np.nan)),
        "specificity": float(tn / (tn + fp)) if tn + fp else None,
        "ppv": float(precision_score(y, pred, zero_division=np.nan)),
        "npv": float(tn / (tn + fn)) if tn + fn else None,
        "f1": float(f1_score(y, pred, zero_division=np.nan)),
    }


def nan_to_none(v):
    return None if isinstance(v, float) and math.isnan(v) else v


def single_case(name, s, y, rng):
    aucs, cov = delong(s[None, :].astype(np.float64), y)
    var = float(cov[0, 0])
    half = Z975 * math.sqrt(var)
    fpr, tpr, thr = roc_curve(y, s, drop_intermediate=False)
    youden = float(thr[np.argmax(tpr - fpr)])
    sens90 = float(thr[np.argmax(tpr >= 0.9)])
    # Operating points on a second ("test") draw of the same distribution.
    test_s, test_y = draw(len(s), name == "tied", rng)
    return {
        "name": name,
        "scores": s.tolist(),
        "labels": y.tolist(),
        "auroc": float(roc_auc_score(y, s)),
        "delong_auroc": float(aucs[0]),
        "delong_variance": var,
        "delong_ci": [max(0.0, aucs[0] - half), min(1.0, aucs[0] + half)],
        "roc": curve(y, s, False),
        "roc_corners": curve(y, s, True),
        "youden_threshold": youden,
        "sensitivity90_threshold": sens90,
        "test_scores": test_s.tolist(),
        "test_labels": test_y.tolist(),
        "youden_test": {k: nan_to_none(v) for k, v in operating_point(test_y, test_s, youden).items()},
        "sensitivity90_test": {
            k: nan_to_none(v) for k, v in operating_point(test_y, test_s, sens90).items()
        },
    }


def draw(n, tied, rng, prevalence=0.3):
    y = (rng.random(n) < prevalence).astype(int)
    s = np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0, 1)
    if tied:
        s = np.round(s, 1)  # 11 distinct scores: most pairs tie
    return s.astype(np.float32), y


def paired_case(name, n, tied, rng):
    y = (rng.random(n) < 0.4).astype(int)
    a = np.clip(rng.normal(0.4 + 0.3 * y, 0.2), 0, 1)
    b = np.clip(0.6 * a + 0.4 * rng.normal(0.45 + 0.1 * y, 0.2), 0, 1)
    if tied:
        a, b = np.round(a, 1), np.round(b, 1)
    a, b = a.astype(np.float32), b.astype(np.float32)
    aucs, cov = delong(np.stack([a, b]).astype(np.float64), y)
    diff = float(aucs[0] - aucs[1])
    var = float(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1])
    z = diff / math.sqrt(var)
    half = Z975 * math.sqrt(var)
    return {
        "name": name,
        "scores_a": a.tolist(),
        "scores_b": b.tolist(),
        "labels": y.tolist(),
        "difference": diff,
        "variance": var,
        "ci": [diff - half, diff + half],
        "z": z,
        "p": math.erfc(abs(z) / math.sqrt(2)),
    }


def bootstrap_case(rng):
    images, classes, replicates = 120, 4, 100
    prevalence = np.array([0.3, 0.5, 0.1, 0.025])  # the last has 3 positives: some draws lack one
    labels = (rng.random((images, classes)) < prevalence).astype(int)
    labels[:3, 3], labels[3:, 3] = 1, 0
    a = np.clip(rng.normal(0.4 + 0.25 * labels, 0.2), 0, 1)
    a[:, 1] = np.round(a[:, 1], 1)  # one tied class
    b = np.clip(0.5 * a + 0.5 * rng.normal(0.4 + 0.15 * labels, 0.2), 0, 1)
    a, b = a.astype(np.float32), b.astype(np.float32)
    indexes = rng.integers(0, images, size=(replicates, images))
    defined = [c for c in range(classes) if 0 < labels[:, c].sum() < images]

    def aurocs(p, idx):
        out = []
        for c in range(classes):
            y = labels[idx, c]
            out.append(roc_auc_score(y, p[idx, c]) if 0 < y.sum() < len(y) else np.nan)
        return np.array(out)

    def summary(values):
        per_class, used = [], []
        for c in range(classes):
            col = values[:, c]
            col = col[~np.isnan(col)]
            per_class.append(np.percentile(col, [2.5, 97.5]).tolist())
            used.append(int(len(col)))
        means = values[:, defined].mean(axis=1)
        means = means[~np.isnan(means)]
        return {
            "per_class": per_class,
            "used": used,
            "mean": np.percentile(means, [2.5, 97.5]).tolist(),
            "mean_used": int(len(means)),
        }

    ours = np.array([aurocs(a, idx) for idx in indexes])
    theirs = np.array([aurocs(b, idx) for idx in indexes])
    return {
        "probabilities": a.tolist(),
        "probabilities_b": b.tolist(),
        "labels": labels.tolist(),
        "indexes": indexes.tolist(),
        "aurocs": summary(ours),
        "difference": summary(ours - theirs),
    }


def main():
    rng = np.random.default_rng(20240611)
    singles = []
    for name, n, tied in [("random", 300, False), ("tied", 200, True), ("small", 12, False)]:
        s, y = draw(n, tied, rng)
        singles.append(single_case(name, s, y, rng))
    fixture = {
        "generated_by": {
            "numpy": np.__version__,
            "scikit-learn": sklearn.__version__,
        },
        "single": singles,
        "paired": [paired_case("random", 250, False, rng), paired_case("tied", 250, True, rng)],
        "bootstrap": bootstrap_case(rng),
        "normal_cdf": [[x, phi(x)] for x in [-9.0, -5.5, -3.0, -2.9, -1.96, -0.5, 0.0, 0.7, 2.99, 3.5, 6.0]],
    }
    OUT.write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
