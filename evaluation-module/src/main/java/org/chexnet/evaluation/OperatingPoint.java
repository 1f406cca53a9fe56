package org.chexnet.evaluation;

import java.util.Optional;

/**
 * One class's confusion counts at a threshold (positive when score >= threshold) and the rates a
 * clinician reads. A rate whose denominator is zero is NaN.
 */
public record OperatingPoint(
    String className,
    double threshold,
    long truePositives,
    long falsePositives,
    long trueNegatives,
    long falseNegatives) {

  /**
   * Counts on {@code scores} at {@code threshold}.
   *
   * @param labels 1 positive, 0 negative, NaN masked (not counted)
   */
  public static OperatingPoint at(
      String className, double threshold, float[] scores, float[] labels) {
    if (scores.length != labels.length) {
      throw new IllegalArgumentException(
          "scores and labels differ in length: " + scores.length + " vs " + labels.length);
    }
    long tp = 0;
    long fp = 0;
    long tn = 0;
    long fn = 0;
    for (int i = 0; i < scores.length; i++) {
      if (Float.isNaN(labels[i])) {
        continue; // masked
      }
      boolean predicted = scores[i] >= threshold;
      if (Auroc.isPositive(labels[i])) {
        tp += predicted ? 1 : 0;
        fn += predicted ? 0 : 1;
      } else {
        fp += predicted ? 1 : 0;
        tn += predicted ? 0 : 1;
      }
    }
    return new OperatingPoint(className, threshold, tp, fp, tn, fn);
  }

  /**
   * Threshold chosen on validation, counts on test.
   *
   * @return empty when validation has no positive or no negative for the class, so no threshold
   */
  public static Optional<OperatingPoint> choose(
      String className,
      ThresholdRule rule,
      float[] validationScores,
      float[] validationLabels,
      float[] testScores,
      float[] testLabels) {
    SortedScores validation = SortedScores.of(validationScores, validationLabels);
    if (!validation.defined()) {
      return Optional.empty();
    }
    double threshold = rule.choose(RocCurve.of(validation, false));
    return Optional.of(at(className, threshold, testScores, testLabels));
  }

  /** Recall, true positive rate. */
  public double sensitivity() {
    return ratio(truePositives, truePositives + falseNegatives);
  }

  public double specificity() {
    return ratio(trueNegatives, trueNegatives + falsePositives);
  }

  /** Positive predictive value, precision. */
  public double ppv() {
    return ratio(truePositives, truePositives + falsePositives);
  }

  public double npv() {
    return ratio(trueNegatives, trueNegatives + falseNegatives);
  }

  /** 2TP / (2TP + FP + FN), the harmonic mean of PPV and sensitivity. */
  public double f1() {
    return ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives);
  }

  private static double ratio(long numerator, long denominator) {
    return denominator == 0 ? Double.NaN : (double) numerator / denominator;
  }
}
