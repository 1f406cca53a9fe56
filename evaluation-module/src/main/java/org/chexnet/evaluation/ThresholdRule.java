package org.chexnet.evaluation;

import java.util.Locale;

/**
 * How a class's decision threshold is chosen on validation predictions.
 *
 * @param targetSensitivity NaN for Youden's J; otherwise the sensitivity to reach
 */
public record ThresholdRule(double targetSensitivity) {

  public ThresholdRule {
    if (!Double.isNaN(targetSensitivity) && !(targetSensitivity > 0 && targetSensitivity <= 1)) {
      throw new IllegalArgumentException(
          "target sensitivity must be in (0, 1], got " + targetSensitivity);
    }
  }

  /** Maximise Youden's J = sensitivity + specificity - 1; the highest such threshold on ties. */
  public static ThresholdRule youden() {
    return new ThresholdRule(Double.NaN);
  }

  /** The highest threshold whose sensitivity reaches {@code target}: the best specificity there. */
  public static ThresholdRule sensitivity(double target) {
    return new ThresholdRule(target);
  }

  /**
   * The chosen threshold on a curve's points: {@code np.argmax(tpr - fpr)} on scikit-learn's {@code
   * roc_curve(..., drop_intermediate=False)} for Youden's J. May be +inf (nothing positive).
   */
  public double choose(RocCurve curve) {
    double[] fpr = curve.fpr();
    double[] tpr = curve.tpr();
    int best = 0;
    for (int i = 1; i < fpr.length; i++) {
      if (Double.isNaN(targetSensitivity)) {
        if (tpr[i] - fpr[i] > tpr[best] - fpr[best]) {
          best = i;
        }
      } else if (tpr[best] < targetSensitivity) {
        best = i;
      }
    }
    return curve.thresholds()[best];
  }

  /** "Youden's J" or "sensitivity >= 0.9". */
  public String describe() {
    return Double.isNaN(targetSensitivity)
        ? "Youden's J"
        : String.format(Locale.ROOT, "sensitivity >= %s", targetSensitivity);
  }
}
