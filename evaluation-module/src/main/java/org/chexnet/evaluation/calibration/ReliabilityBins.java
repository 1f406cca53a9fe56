package org.chexnet.evaluation.calibration;

import java.util.Arrays;

/**
 * One class's predictions in ten equal-width probability bins: the reliability diagram and the
 * expected calibration error.
 *
 * <p>Edges as scikit-learn's {@code calibration_curve(y, p, n_bins=10, strategy='uniform')}: the
 * edges are {@code k * 0.1} in double precision ({@code numpy.linspace(0, 1, 11)}), and a
 * probability goes to the first bin whose right edge is at least the probability ({@code
 * numpy.searchsorted} on the inner edges, side "left"). So the bins are closed on the right: [0,
 * 0.1], (0.1, 0.2], ..., (0.9, 1]; 0.5 lies in the fifth bin, and a float32 0.3 (0.30000001...) in
 * the fourth, since it is above 0.30000000000000004.
 *
 * @param counts images per bin
 * @param meanPredicted per bin, the mean predicted probability; NaN for an empty bin
 * @param observedRate per bin, the share of positive images; NaN for an empty bin
 */
public record ReliabilityBins(long[] counts, double[] meanPredicted, double[] observedRate) {

  public static final int BINS = 10;

  /** The 11 edges, k * 0.1 as numpy.linspace computes them. */
  private static final double[] EDGES = new double[BINS + 1];

  static {
    for (int k = 0; k < BINS; k++) {
      EDGES[k] = k * (1.0 / BINS);
    }
    EDGES[BINS] = 1.0;
  }

  public ReliabilityBins {
    if (counts.length != BINS || meanPredicted.length != BINS || observedRate.length != BINS) {
      throw new IllegalArgumentException("expected " + BINS + " bins");
    }
  }

  /**
   * @param labels 1 positive, 0 negative (any value >= 0.5 is positive), NaN masked (left out)
   * @throws IllegalArgumentException on a length mismatch or a probability outside [0, 1]
   */
  public static ReliabilityBins of(float[] probabilities, float[] labels) {
    checkLengths(probabilities, labels);
    long[] counts = new long[BINS];
    double[] predicted = new double[BINS];
    double[] positives = new double[BINS];
    for (int i = 0; i < probabilities.length; i++) {
      if (Float.isNaN(labels[i])) {
        continue; // masked: not known, left out of the bins
      }
      int bin = bin(probabilities[i]);
      counts[bin]++;
      predicted[bin] += probabilities[i];
      positives[bin] += isPositive(labels[i]) ? 1 : 0;
    }
    double[] meanPredicted = new double[BINS];
    double[] observedRate = new double[BINS];
    for (int b = 0; b < BINS; b++) {
      meanPredicted[b] = counts[b] == 0 ? Double.NaN : predicted[b] / counts[b];
      observedRate[b] = counts[b] == 0 ? Double.NaN : positives[b] / counts[b];
    }
    return new ReliabilityBins(counts, meanPredicted, observedRate);
  }

  /**
   * Expected calibration error: the sum over non-empty bins of (bin count / n) * |mean predicted -
   * observed positive rate|.
   */
  public double ece() {
    long images = Arrays.stream(counts).sum();
    double ece = 0;
    for (int b = 0; b < BINS; b++) {
      if (counts[b] > 0) {
        ece += (double) counts[b] / images * Math.abs(meanPredicted[b] - observedRate[b]);
      }
    }
    return ece;
  }

  /** The bin of {@code probability}, 0 to 9, by the edge rule above. */
  public static int bin(float probability) {
    double p = probability;
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("probability " + probability + " is outside [0, 1]");
    }
    // A first guess from the product, corrected against the edges themselves so the result
    // follows the edges' double values exactly.
    int bin = Math.min(BINS - 1, (int) (p * BINS));
    while (bin > 0 && p <= EDGES[bin]) {
      bin--;
    }
    while (bin < BINS - 1 && p > EDGES[bin + 1]) {
      bin++;
    }
    return bin;
  }

  /** The (left, right) edges of bin {@code bin}. */
  public static double[] edges(int bin) {
    return new double[] {EDGES[bin], EDGES[bin + 1]};
  }

  static boolean isPositive(float label) {
    return label >= 0.5f;
  }

  static void checkLengths(float[] probabilities, float[] labels) {
    if (probabilities.length != labels.length) {
      throw new IllegalArgumentException(
          "probabilities and labels differ in length: "
              + probabilities.length
              + " vs "
              + labels.length);
    }
    if (probabilities.length == 0) {
      throw new IllegalArgumentException("no images");
    }
  }
}
