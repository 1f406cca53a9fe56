package org.chexnet.evaluation;

import java.util.Arrays;
import java.util.Comparator;

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
   */
  public static double of(float[] scores, float[] labels) {
    if (scores.length != labels.length) {
      throw new IllegalArgumentException(
          "scores and labels differ in length: " + scores.length + " vs " + labels.length);
    }
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      if (Float.isNaN(scores[i])) {
        // NaN has no place in a ranking; silently sorting it would skew the result.
        throw new IllegalArgumentException("score " + i + " is NaN");
      }
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));

    // Walk tie groups in ascending score order. Each positive in a group beats every negative
    // below the group and half-beats each negative inside it. Summing 2U keeps it integral.
    long positives = 0;
    long negativesBelow = 0;
    long twiceU = 0;
    int start = 0;
    while (start < order.length) {
      int end = start;
      long groupPositives = 0;
      long groupNegatives = 0;
      while (end < order.length && scores[order[end]] == scores[order[start]]) {
        if (isPositive(labels[order[end]])) {
          groupPositives++;
        } else {
          groupNegatives++;
        }
        end++;
      }
      twiceU += groupPositives * (2 * negativesBelow + groupNegatives);
      positives += groupPositives;
      negativesBelow += groupNegatives;
      start = end;
    }
    long negatives = negativesBelow;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    return twiceU / (2.0 * positives * negatives);
  }

  static boolean isPositive(float label) {
    return label >= 0.5f;
  }
}
