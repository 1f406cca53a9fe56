package org.chexnet.evaluation;

/**
 * ROC curve points, as scikit-learn's {@code roc_curve}: the first point (0, 0) at threshold +inf,
 * then one point per distinct score, descending, an image counting as positive when its score is at
 * least the threshold. Arrays are shared, not copied: treat them as read-only.
 */
public record RocCurve(double[] fpr, double[] tpr, double[] thresholds) {

  public RocCurve {
    if (fpr.length != tpr.length || fpr.length != thresholds.length) {
      throw new IllegalArgumentException("fpr, tpr and thresholds differ in length");
    }
  }

  /**
   * Every distinct threshold ({@code roc_curve(..., drop_intermediate=False)}).
   *
   * @throws IllegalArgumentException when the labels hold no positive or no negative
   */
  public static RocCurve of(float[] scores, float[] labels) {
    return of(SortedScores.of(scores, labels), false);
  }

  /**
   * The points scikit-learn keeps by default ({@code drop_intermediate=True}): a point is dropped
   * when the false and the true positive counts both change linearly through it, so the drawn curve
   * is the same with far fewer points (for roc.csv and plots).
   *
   * @throws IllegalArgumentException when the labels hold no positive or no negative
   */
  public static RocCurve corners(float[] scores, float[] labels) {
    return of(SortedScores.of(scores, labels), true);
  }

  static RocCurve of(SortedScores sorted, boolean cornersOnly) {
    if (!sorted.defined()) {
      throw new IllegalArgumentException("an ROC curve needs both positives and negatives");
    }
    // Cumulative counts after each group, from the highest score down, as sklearn's fps and tps.
    int groups = sorted.groupEnds.length;
    long[] falsePositives = new long[groups];
    long[] truePositives = new long[groups];
    float[] scores = new float[groups];
    long fp = 0;
    long tp = 0;
    for (int g = groups - 1, point = 0; g >= 0; g--, point++) {
      int start = g == 0 ? 0 : sorted.groupEnds[g - 1];
      for (int k = start; k < sorted.groupEnds[g]; k++) {
        if (sorted.positive[k]) {
          tp++;
        } else {
          fp++;
        }
      }
      falsePositives[point] = fp;
      truePositives[point] = tp;
      scores[point] = sorted.groupScores[g];
    }
    int[] kept = new int[groups];
    int size = 0;
    for (int i = 0; i < groups; i++) {
      // sklearn's rule on the counts, applied only to curves of more than two points.
      boolean keep =
          !cornersOnly
              || groups <= 2
              || i == 0
              || i == groups - 1
              || falsePositives[i - 1] - 2 * falsePositives[i] + falsePositives[i + 1] != 0
              || truePositives[i - 1] - 2 * truePositives[i] + truePositives[i + 1] != 0;
      if (keep) {
        kept[size++] = i;
      }
    }
    double[] fpr = new double[size + 1];
    double[] tpr = new double[size + 1];
    double[] thresholds = new double[size + 1];
    thresholds[0] = Double.POSITIVE_INFINITY;
    for (int j = 0; j < size; j++) {
      int i = kept[j];
      fpr[j + 1] = (double) falsePositives[i] / sorted.negatives;
      tpr[j + 1] = (double) truePositives[i] / sorted.positives;
      thresholds[j + 1] = scores[i];
    }
    return new RocCurve(fpr, tpr, thresholds);
  }

  public int size() {
    return fpr.length;
  }
}
