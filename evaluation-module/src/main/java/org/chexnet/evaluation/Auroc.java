package org.chexnet.evaluation;

/** Exact area under the ROC curve, computed as the Mann-Whitney U statistic. */
public final class Auroc {

  private Auroc() {}

  /**
   * AUROC = U / (P * N): the fraction of (positive, negative) pairs the scores rank correctly, a
   * tie counting one half. Sorts once, so O(n log n) instead of comparing all P * N pairs.
   *
   * @param scores predicted scores, higher meaning "more likely positive"
   * @param labels 1 for positive, 0 for negative (any value >= 0.5 is positive)
   * @return the AUROC, or NaN when the labels hold no positives or no negatives
   * @throws IllegalArgumentException on a length mismatch or a NaN score
   */
  public static double of(float[] scores, float[] labels) {
    return SortedScores.of(scores, labels).auroc();
  }

  static boolean isPositive(float label) {
    return label >= 0.5f;
  }
}
