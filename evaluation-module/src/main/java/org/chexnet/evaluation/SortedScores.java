package org.chexnet.evaluation;

import java.util.Arrays;

/**
 * One class's scores sorted once, ascending, with their tie groups: the shared basis of the AUROC,
 * DeLong's structural components, the ROC curve and every bootstrap replicate, so that each of them
 * is a linear walk instead of a new sort.
 */
public final class SortedScores {

  /** Image indexes in ascending score order; masked images (NaN label) are left out. */
  final int[] order;

  /** Images given, masked ones included: the length of per-image arrays. */
  final int images;

  /** Whether the image at {@code order[k]} is positive. */
  final boolean[] positive;

  /** Exclusive end, in {@code order}, of each group of equal scores. */
  final int[] groupEnds;

  /** The score of each group. */
  final float[] groupScores;

  final int positives;
  final int negatives;

  private SortedScores(
      int images,
      int[] order,
      boolean[] positive,
      int[] groupEnds,
      float[] groupScores,
      int positives,
      int negatives) {
    this.images = images;
    this.order = order;
    this.positive = positive;
    this.groupEnds = groupEnds;
    this.groupScores = groupScores;
    this.positives = positives;
    this.negatives = negatives;
  }

  /**
   * @param labels 1 positive, 0 negative, NaN masked: the image is left out of this class's ranking
   *     (an unknown label, e.g. CheXpert's uncertain under U-Ignore)
   * @throws IllegalArgumentException on a length mismatch or a NaN score
   */
  public static SortedScores of(float[] scores, float[] labels) {
    int images = scores.length;
    if (images != labels.length) {
      throw new IllegalArgumentException(
          "scores and labels differ in length: " + images + " vs " + labels.length);
    }
    // Sorting primitive (order-preserving score bits, index) pairs avoids boxing n Integers.
    long[] keys = new long[images];
    int n = 0;
    for (int i = 0; i < images; i++) {
      if (Float.isNaN(labels[i])) {
        continue;
      }
      if (Float.isNaN(scores[i])) {
        // NaN has no place in a ranking; silently sorting it would skew the result.
        throw new IllegalArgumentException("score " + i + " is NaN");
      }
      int bits = Float.floatToIntBits(scores[i]);
      int sortable = bits ^ ((bits >> 31) & 0x7fffffff);
      keys[n++] = ((long) sortable << 32) | i;
    }
    keys = n == images ? keys : Arrays.copyOf(keys, n);
    Arrays.sort(keys);
    int[] order = new int[n];
    boolean[] positive = new boolean[n];
    int[] groupEnds = new int[n];
    float[] groupScores = new float[n];
    int groups = 0;
    int positives = 0;
    for (int k = 0; k < n; k++) {
      int i = (int) keys[k];
      order[k] = i;
      positive[k] = Auroc.isPositive(labels[i]);
      positives += positive[k] ? 1 : 0;
      // == rather than bits, so that -0 and +0 share a group as they do for sklearn.
      if (k == 0 || scores[i] != groupScores[groups - 1]) {
        if (groups > 0) {
          groupEnds[groups - 1] = k;
        }
        groupScores[groups++] = scores[i];
      }
    }
    if (groups > 0) {
      groupEnds[groups - 1] = n;
    }
    return new SortedScores(
        images,
        order,
        positive,
        Arrays.copyOf(groupEnds, groups),
        Arrays.copyOf(groupScores, groups),
        positives,
        n - positives);
  }

  /** Whether the scores' labels hold both a positive and a negative. */
  public boolean defined() {
    return positives > 0 && negatives > 0;
  }

  /** Mann-Whitney AUROC; NaN without positives or negatives. */
  public double auroc() {
    return auroc(null);
  }

  /**
   * AUROC of a resample holding image i {@code counts[i]} times ({@code null}: each once): the same
   * walk with weights, so a bootstrap replicate costs O(n) and equals the AUROC of the resampled
   * arrays exactly.
   *
   * @return NaN when the (re)sample holds no positive or no negative
   */
  public double auroc(int[] counts) {
    // Each positive in a group beats every negative below the group and half-beats each negative
    // inside it. Summing 2U keeps the count integral, so the result is exact.
    long positivesBelow = 0;
    long negativesBelow = 0;
    long twiceU = 0;
    int start = 0;
    for (int end : groupEnds) {
      long groupPositives = 0;
      long groupNegatives = 0;
      for (int k = start; k < end; k++) {
        int weight = counts == null ? 1 : counts[order[k]];
        if (positive[k]) {
          groupPositives += weight;
        } else {
          groupNegatives += weight;
        }
      }
      twiceU += groupPositives * (2 * negativesBelow + groupNegatives);
      positivesBelow += groupPositives;
      negativesBelow += groupNegatives;
      start = end;
    }
    if (positivesBelow == 0 || negativesBelow == 0) {
      return Double.NaN;
    }
    return twiceU / (2.0 * positivesBelow * negativesBelow);
  }

  /**
   * DeLong's structural components per image (Sun and Xu 2014, from midranks): for a positive, the
   * share of negatives it outranks (V10); for a negative, the share of positives that outrank it
   * (V01); ties count one half. Both average to the AUROC.
   */
  double[] structuralComponents() {
    double[] components = new double[images];
    long positivesBelow = 0;
    long negativesBelow = 0;
    int start = 0;
    for (int end : groupEnds) {
      long groupPositives = 0;
      for (int k = start; k < end; k++) {
        groupPositives += positive[k] ? 1 : 0;
      }
      long groupNegatives = end - start - groupPositives;
      double v10 = (negativesBelow + groupNegatives / 2.0) / negatives;
      double v01 = (positives - positivesBelow - groupPositives / 2.0) / positives;
      for (int k = start; k < end; k++) {
        components[order[k]] = positive[k] ? v10 : v01;
      }
      positivesBelow += groupPositives;
      negativesBelow += groupNegatives;
      start = end;
    }
    return components;
  }
}
