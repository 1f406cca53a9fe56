"""scikit-learn's AUROC per class with masked labels left out, on the data the test wrote.

  python masked_reference.py INPUT.json OUTPUT.json

INPUT: {"classes": [...], "probabilities": [[...], ...], "labels": [[1, 0, null, ...], ...]} (rows
are images; null is a masked label). OUTPUT: per class the AUROC of roc_auc_score on the images
whose label is known (null when they hold no positive or no negative), its Brier score there
(brier_score_loss), and the counts.
Run by MaskedEvaluationTest (ScikitLearnReference) in the venv of bench/requirements-sklearn.txt.
"""
import json
import sys

import numpy as np
from sklearn.metrics import brier_score_loss, roc_auc_score


def main(path_in, path_out):
    with open(path_in, encoding="utf-8") as f:
        data = json.load(f)
    p = np.asarray(data["probabilities"], dtype=np.float64)
    y = np.asarray([[np.nan if v is None else v for v in row] for row in data["labels"]])
    out = {}
    for c, name in enumerate(data["classes"]):
        known = ~np.isnan(y[:, c])
        truth = y[known, c]
        positives = int(np.sum(truth >= 0.5))
        negatives = int(np.sum(truth < 0.5))
        auroc = roc_auc_score(truth, p[known, c]) if positives and negatives else None
        out[name] = {
            "auroc": auroc,
            "positives": positives,
            "negatives": negatives,
            "masked": int(np.sum(~known)),
            "brier": brier_score_loss(truth, p[known, c]),
        }
    with open(path_out, "w", encoding="utf-8") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
