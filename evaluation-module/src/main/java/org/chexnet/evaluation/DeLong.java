package org.chexnet.evaluation;

import org.apache.commons.statistics.distribution.NormalDistribution;

/**
 * DeLong, DeLong and Clarke-Pearson (1988) variance of the AUROC, computed the fast way (Sun and Xu
 * 2014: structural components from one sort, O(n log n)), for a second opinion beside the bootstrap
 * and for paired tests between two models scored on the same images.
 */
public final class DeLong {
  private static final NormalDistribution STANDARD_NORMAL = NormalDistribution.of(0, 1);

  /** Phi^-1(0.975), the half-width of a 95% interval in standard errors. */
  private static final double Z_975 = STANDARD_NORMAL.inverseCumulativeProbability(0.975);

  private DeLong() {}

  /**
   * An AUROC with its DeLong variance.
   *
   * @param variance NaN with fewer than two positives or two negatives (the sample covariances need
   *     two of each)
   */
  public record Estimate(double auroc, double variance) {

    public double standardError() {
      return Math.sqrt(variance);
    }

    /** AUROC +- 1.96 standard errors, clipped to [0, 1] as pROC does. */
    public Interval ci95() {
      if (Double.isNaN(variance)) {
        return Interval.UNDEFINED;
      }
      double half = Z_975 * standardError();
      return new Interval(Math.max(0, auroc - half), Math.min(1, auroc + half));
    }

    /** Ours minus a published constant: same variance, the constant carrying none. */
    public Difference minus(double constant) {
      return new Difference(auroc - constant, variance);
    }
  }

  /** A difference of AUROCs (ours minus theirs) with its variance, and the z test of zero. */
  public record Difference(double difference, double variance) {

    public double standardError() {
      return Math.sqrt(variance);
    }

    /** Difference +- 1.96 standard errors (not clipped: a difference lies in [-1, 1] anyway). */
    public Interval ci95() {
      double half = Z_975 * standardError();
      return Double.isNaN(half)
          ? Interval.UNDEFINED
          : new Interval(difference - half, difference + half);
    }

    public double z() {
      return difference / standardError();
    }

    /** Two-sided p-value of "no difference"; NaN when the variance is 0 or undefined. */
    public double pValue() {
      // The lower tail of -|z| keeps its relative accuracy where 1 - Phi(|z|) would cancel to 0.
      return variance > 0 ? 2 * STANDARD_NORMAL.cumulativeProbability(-Math.abs(z())) : Double.NaN;
    }
  }

  /**
   * @param labels 1 positive, 0 negative
   * @return NaN AUROC and variance when the labels hold no positive or no negative
   */
  public static Estimate of(float[] scores, float[] labels) {
    SortedScores sorted = SortedScores.of(scores, labels);
    double[] components = sorted.structuralComponents();
    double auroc = sorted.auroc();
    return new Estimate(auroc, pairedVariance(sorted, components, auroc, components, auroc));
  }

  /**
   * Paired test of two models on the same images: A minus B, with the covariance DeLong's method
   * gives for AUROCs computed on the same positives and negatives.
   *
   * @param scoresA model A's scores, image for image with {@code scoresB} and {@code labels}
   */
  public static Difference paired(float[] scoresA, float[] scoresB, float[] labels) {
    SortedScores a = SortedScores.of(scoresA, labels);
    SortedScores b = SortedScores.of(scoresB, labels);
    double[] va = a.structuralComponents();
    double[] vb = b.structuralComponents();
    double aurocA = a.auroc();
    double aurocB = b.auroc();
    double variance =
        pairedVariance(a, va, aurocA, va, aurocA)
            + pairedVariance(a, vb, aurocB, vb, aurocB)
            - 2 * pairedVariance(a, va, aurocA, vb, aurocB);
    return new Difference(aurocA - aurocB, variance);
  }

  /** Cov(A, B) = S10_AB / m + S01_AB / n from the structural components. */
  private static double pairedVariance(
      SortedScores sorted, double[] va, double meanA, double[] vb, double meanB) {
    if (sorted.positives < 2 || sorted.negatives < 2) {
      return Double.NaN;
    }
    double s10 = 0;
    double s01 = 0;
    for (int k = 0; k < sorted.order.length; k++) {
      int i = sorted.order[k];
      double product = (va[i] - meanA) * (vb[i] - meanB);
      if (sorted.positive[k]) {
        s10 += product;
      } else {
        s01 += product;
      }
    }
    int m = sorted.positives;
    int n = sorted.negatives;
    return s10 / ((m - 1.0) * m) + s01 / ((n - 1.0) * n);
  }
}
