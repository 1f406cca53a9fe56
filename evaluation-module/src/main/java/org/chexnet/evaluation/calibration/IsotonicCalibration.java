package org.chexnet.evaluation.calibration;

import java.util.Arrays;

/**
 * Isotonic calibration: the non-decreasing step function of the probability that best fits the
 * labels in least squares (pool adjacent violators), interpolated linearly between its points and
 * constant outside them, as scikit-learn's {@code IsotonicRegression(out_of_bounds='clip')} fitted
 * on the probabilities and the 0/1 labels.
 *
 * <p>As scikit-learn: probabilities closer than 1e-15 to the first of a run of equal ones ({@code
 * numpy.finfo(float64).resolution}) count as one point with the mean label, and points inside a run
 * of equal fitted values are dropped, since linear interpolation over them changes nothing.
 *
 * @param thresholds the probabilities of the kept points, ascending
 * @param values the calibrated probability at each threshold, non-decreasing
 */
public record IsotonicCalibration(double[] thresholds, double[] values) implements ClassCalibrator {

  private static final double RESOLUTION = 1e-15;

  public IsotonicCalibration {
    if (thresholds.length == 0 || thresholds.length != values.length) {
      throw new IllegalArgumentException(
          "isotonic calibration needs as many values as thresholds, at least one; got "
              + thresholds.length
              + " thresholds and "
              + values.length
              + " values");
    }
    for (int k = 1; k < thresholds.length; k++) {
      if (!(thresholds[k] > thresholds[k - 1]) || !(values[k] >= values[k - 1])) {
        throw new IllegalArgumentException(
            "isotonic calibration needs ascending thresholds and non-decreasing values, not at"
                + " point "
                + k);
      }
    }
  }

  /**
   * @param labels 1 positive, 0 negative
   */
  public static IsotonicCalibration fit(float[] probabilities, float[] labels) {
    ReliabilityBins.checkLengths(probabilities, labels);
    int n = probabilities.length;
    // Sort (probability, label) pairs; the label is the tie-breaker, as numpy.lexsort((y, X)).
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      if (!(probabilities[i] >= 0f && probabilities[i] <= 1f)) {
        throw new IllegalArgumentException(
            "probability " + probabilities[i] + " of image " + i + " is outside [0, 1]");
      }
      // Non-negative floats order as their bits (+ 0f turns -0 into 0); the label is the lowest
      // bit.
      keys[i] =
          ((long) Float.floatToIntBits(probabilities[i] + 0f) << 1)
              | (ReliabilityBins.isPositive(labels[i]) ? 1 : 0);
    }
    Arrays.sort(keys);

    // Unique probabilities with their mean label and weight (scikit-learn's _make_unique).
    double[] x = new double[n];
    double[] y = new double[n];
    double[] w = new double[n];
    int unique = 0;
    double currentX = Float.intBitsToFloat((int) (keys[0] >>> 1));
    double currentSum = 0;
    double currentWeight = 0;
    for (long key : keys) {
      double value = Float.intBitsToFloat((int) (key >>> 1));
      double label = key & 1;
      if (value - currentX >= RESOLUTION) {
        x[unique] = currentX;
        y[unique] = currentSum / currentWeight;
        w[unique++] = currentWeight;
        currentX = value;
        currentSum = 0;
        currentWeight = 0;
      }
      currentSum += label;
      currentWeight += 1;
    }
    x[unique] = currentX;
    y[unique] = currentSum / currentWeight;
    w[unique++] = currentWeight;

    double[] fitted = poolAdjacentViolators(Arrays.copyOf(y, unique), Arrays.copyOf(w, unique));

    // Keep the ends and every point whose value differs from a neighbour's.
    double[] keptX = new double[unique];
    double[] keptY = new double[unique];
    int kept = 0;
    for (int k = 0; k < unique; k++) {
      if (k == 0 || k == unique - 1 || fitted[k] != fitted[k - 1] || fitted[k] != fitted[k + 1]) {
        keptX[kept] = x[k];
        keptY[kept++] = fitted[k];
      }
    }
    return new IsotonicCalibration(Arrays.copyOf(keptX, kept), Arrays.copyOf(keptY, kept));
  }

  /**
   * Weighted least-squares non-decreasing fit: a stack of blocks, each the mean of the points it
   * pooled; a new point is pooled with the blocks before it while it does not exceed their mean.
   */
  static double[] poolAdjacentViolators(double[] y, double[] w) {
    int n = y.length;
    double[] blockSum = new double[n];
    double[] blockWeight = new double[n];
    int[] blockEnd = new int[n];
    int blocks = 0;
    for (int i = 0; i < n; i++) {
      blockSum[blocks] = y[i] * w[i];
      blockWeight[blocks] = w[i];
      blockEnd[blocks++] = i + 1;
      while (blocks > 1
          && blockSum[blocks - 2] / blockWeight[blocks - 2]
              >= blockSum[blocks - 1] / blockWeight[blocks - 1]) {
        blockSum[blocks - 2] += blockSum[blocks - 1];
        blockWeight[blocks - 2] += blockWeight[blocks - 1];
        blockEnd[blocks - 2] = blockEnd[blocks - 1];
        blocks--;
      }
    }
    double[] fitted = new double[n];
    int start = 0;
    for (int b = 0; b < blocks; b++) {
      Arrays.fill(fitted, start, blockEnd[b], blockSum[b] / blockWeight[b]);
      start = blockEnd[b];
    }
    return fitted;
  }

  /** Linear interpolation between the points (scipy's interp1d), clipped to the fitted range. */
  @Override
  public double apply(double probability) {
    int last = thresholds.length - 1;
    if (last == 0) {
      return values[0];
    }
    double p = Math.min(thresholds[last], Math.max(thresholds[0], probability));
    // First point at or above p (numpy.searchsorted, side "left"), kept within 1..last.
    int high = Arrays.binarySearch(thresholds, p);
    high = high >= 0 ? high : -high - 1;
    high = Math.max(1, Math.min(last, high));
    int low = high - 1;
    double slope = (values[high] - values[low]) / (thresholds[high] - thresholds[low]);
    return slope * (p - thresholds[low]) + values[low];
  }
}
