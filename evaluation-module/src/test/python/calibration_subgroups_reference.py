"""scikit-learn's numbers for the calibration and subgroup tests, on the data the test wrote.

  python calibration_subgroups_reference.py INPUT.json OUTPUT.json

Run by the evaluation module's tests (ScikitLearnReference) in the venv of
bench/requirements-sklearn.txt. Probabilities arrive as float32 values written as doubles and are
used as float64, so that scikit-learn computes in double precision as the Java code does.
"""
import json
import sys

import numpy as np
import pandas as pd
import sklearn
from sklearn.calibration import _sigmoid_calibration, calibration_curve
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, confusion_matrix, roc_auc_score

BINS = 10
AGE_BANDS = ["0-19", "20-39", "40-59", "60-79", "80+"]


def percentile_ci(values):
    values = [v for v in values if not np.isnan(v)]
    return list(np.percentile(values, [2.5, 97.5])) if values else None


def reliability(y, p):
    """calibration_curve's bins with their counts (it returns only the non-empty bins' rates)."""
    prob_true, prob_pred = calibration_curve(y, p, n_bins=BINS, strategy="uniform")
    counts = np.bincount(np.searchsorted(np.linspace(0.0, 1.0, BINS + 1)[1:-1], p),
                         minlength=BINS)
    nonzero = counts[counts > 0]
    ece = float(np.sum(nonzero / len(p) * np.abs(prob_pred - prob_true)))
    return counts, prob_true, prob_pred, ece


def calibration_case(case):
    p = np.asarray(case["probabilities"], dtype=np.float64)
    y = np.asarray(case["labels"], dtype=np.int64)
    out = []
    for c in range(p.shape[1]):
        counts, prob_true, prob_pred, ece = reliability(y[:, c], p[:, c])
        briers, eces = [], []
        for idx in case["indexes"]:
            briers.append(brier_score_loss(y[idx, c], p[idx, c]))
            eces.append(reliability(y[idx, c], p[idx, c])[3])
        out.append({
            "brier": brier_score_loss(y[:, c], p[:, c]),
            "ece": ece,
            "counts": counts.tolist(),
            "observed_rate": prob_true.tolist(),
            "mean_predicted": prob_pred.tolist(),
            "brier_ci": percentile_ci(briers),
            "ece_ci": percentile_ci(eces),
        })
    return out


def logit(p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return np.log(p / (1 - p))


def platt_case(case):
    """Platt's smoothed-target fit on the logit, solved exactly as a weighted logistic regression
    (each image once as a positive with weight t and once as a negative with weight 1 - t), and
    by scikit-learn's own _sigmoid_calibration (L-BFGS, gradient tolerance 1e-6)."""
    p = np.asarray(case["fit_probabilities"], dtype=np.float64)
    y = np.asarray(case["fit_labels"], dtype=np.float64)
    f = logit(p)
    positives = y.sum()
    negatives = len(y) - positives
    t = np.where(y > 0, (positives + 1) / (positives + 2), 1 / (negatives + 2))
    regression = LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-15, max_iter=1000)
    regression.fit(np.concatenate([f, f])[:, None],
                   np.concatenate([np.ones(len(f)), np.zeros(len(f))]),
                   sample_weight=np.concatenate([t, 1 - t]))
    slope, intercept = float(regression.coef_[0][0]), float(regression.intercept_[0])
    a, b = _sigmoid_calibration(f, y)
    applied = np.asarray(case["apply_probabilities"], dtype=np.float64)
    return {
        "slope": slope,
        "intercept": intercept,
        "sklearn_sigmoid_slope": float(-a),
        "sklearn_sigmoid_intercept": float(-b),
        "applied": (1 / (1 + np.exp(-(slope * logit(applied) + intercept)))).tolist(),
    }


def isotonic_case(case):
    p = np.asarray(case["fit_probabilities"], dtype=np.float64)
    y = np.asarray(case["fit_labels"], dtype=np.float64)
    regression = IsotonicRegression(out_of_bounds="clip").fit(p, y)
    applied = np.asarray(case["apply_probabilities"], dtype=np.float64)
    return {
        "thresholds": regression.X_thresholds_.tolist(),
        "values": regression.y_thresholds_.tolist(),
        "applied": regression.predict(applied).tolist(),
    }


def attribute_values(metadata, attribute):
    """The NIH columns' values per image, age as its band; None when missing."""
    if attribute == "sex":
        return metadata["Patient Gender"]
    if attribute == "view":
        return metadata["View Position"]
    age = pd.to_numeric(metadata["Patient Age"].astype(str).str.rstrip("Y"))
    age = age.where(age <= 120)
    return pd.cut(age, [0, 20, 40, 60, 80, np.inf], right=False, labels=AGE_BANDS).astype(object)


def subgroup_case(case):
    metadata = pd.read_csv(case["metadata"], dtype=str).set_index("Image Index")
    images = case["images"]
    p = np.asarray(case["probabilities"], dtype=np.float64)
    y = np.asarray(case["labels"], dtype=np.int64)
    thresholds = case["thresholds"]
    classes = case["classes"]
    rng = np.random.default_rng(case["seed"])
    out = {}
    for attribute in case["attributes"]:
        values = attribute_values(metadata, attribute).reindex(images)
        frame = pd.DataFrame({"value": values.to_numpy(), "row": np.arange(len(images))})
        order = AGE_BANDS if attribute == "age" else sorted(frame["value"].dropna().unique())
        groups = {}
        for value, members in frame.dropna().groupby("value", observed=True)["row"]:
            groups[value] = members.to_numpy()
        result = {"without_value": int(frame["value"].isna().sum()), "groups": {}}
        auroc_replicates, fnr_replicates, full = {}, {}, {}
        for value in [v for v in order if v in groups]:
            members = groups[value]
            n = len(members)
            draws = [rng.integers(0, n, n) for _ in range(case["replicates"])]
            group = {"images": n, "members": members.tolist(),
                     "draws": [d.tolist() for d in draws],
                     "auroc": [], "positives": [], "sensitivity": [], "specificity": [],
                     "fnr": [], "auroc_ci": [], "fnr_ci": []}
            aurocs = np.full((len(draws), len(classes)), np.nan)
            fnrs = np.full((len(draws), len(classes)), np.nan)
            for c in range(len(classes)):
                yc, pc = y[members, c], p[members, c]
                defined = 0 < yc.sum() < n
                group["auroc"].append(roc_auc_score(yc, pc) if defined else None)
                group["positives"].append(int(yc.sum()))
                predicted = (pc >= thresholds[c]).astype(int)
                tn, fp, fn, tp = confusion_matrix(yc, predicted, labels=[0, 1]).ravel()
                group["sensitivity"].append(tp / (tp + fn) if tp + fn else None)
                group["specificity"].append(tn / (tn + fp) if tn + fp else None)
                group["fnr"].append(fn / (tp + fn) if tp + fn else None)
                for r, d in enumerate(draws):
                    if 0 < yc[d].sum() < n:
                        aurocs[r, c] = roc_auc_score(yc[d], pc[d])
                    if yc[d].sum() > 0:
                        fnrs[r, c] = np.mean(pc[d][yc[d] == 1] < thresholds[c])
                group["auroc_ci"].append(percentile_ci(aurocs[:, c]) if defined else None)
                group["fnr_ci"].append(percentile_ci(fnrs[:, c]) if yc.sum() > 0 else None)
            defined_classes = [c for c in range(len(classes)) if group["auroc"][c] is not None]
            group["mean_auroc"] = float(np.mean([group["auroc"][c] for c in defined_classes]))
            group["mean_auroc_ci"] = percentile_ci(aurocs[:, defined_classes].mean(axis=1))
            result["groups"][value] = group
            auroc_replicates[value], fnr_replicates[value] = aurocs, fnrs
            full[value] = group
        result["auroc_gaps"] = gaps(full, "auroc", auroc_replicates, len(classes))
        result["fnr_gaps"] = gaps(full, "fnr", fnr_replicates, len(classes))
        out[attribute] = result
    return out


MIN_CASES = 10


def gaps(groups, metric, replicates, classes):
    """Highest minus lowest subgroup on the full set (the first highest and the last lowest in
    value order), with the percentile interval of that difference over the replicates; too_few
    when either has fewer than MIN_CASES positives (for AUROC, or negatives)."""
    out = []
    for c in range(classes):
        values = [(v, g[metric][c]) for v, g in groups.items() if g[metric][c] is not None]
        if len(values) < 2:
            out.append(None)
            continue
        top = max(x for _, x in values)
        bottom = min(x for _, x in values)
        higher = next(v for v, x in values if x == top)
        lower = [v for v, x in values if x == bottom][-1]
        differences = replicates[higher][:, c] - replicates[lower][:, c]

        def too_few(g):
            positives = g["positives"][c]
            negatives = g["images"] - positives
            return positives < MIN_CASES or (metric == "auroc" and negatives < MIN_CASES)

        out.append({"higher": higher, "lower": lower, "gap": top - bottom,
                    "ci": percentile_ci(differences),
                    "too_few": too_few(groups[higher]) or too_few(groups[lower])})
    return out


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    result = {
        "versions": {"scikit-learn": sklearn.__version__, "numpy": np.__version__,
                     "pandas": pd.__version__},
        "calibration": [calibration_case(c) for c in cases.get("calibration", [])],
        "platt": [platt_case(c) for c in cases.get("platt", [])],
        "isotonic": [isotonic_case(c) for c in cases.get("isotonic", [])],
    }
    if "subgroups" in cases:
        result["subgroups"] = subgroup_case(cases["subgroups"])
    with open(sys.argv[2], "w") as f:
        json.dump(result, f, default=float)


if __name__ == "__main__":
    main()
