package org.chexnet.evaluation.calibration;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.chexnet.evaluation.Bootstrap;
import org.chexnet.evaluation.BootstrapResult;
import org.chexnet.evaluation.PredictionSet;
import org.chexnet.evaluation.Resampling;

/**
 * Calibration of every class on one prediction set: Brier score and expected calibration error with
 * percentile-bootstrap 95% intervals, and the reliability bins.
 *
 * <p>The bootstrap draws the same replicates as {@link Bootstrap#aurocs} for the same seed and
 * count (images drawn with replacement, {@link Resampling#seeded}), so the calibration and AUROC
 * intervals of a report come from the same resamples. Each replicate recomputes both numbers from
 * scratch on the draw: the Brier score as the mean of (p - y)^2, the ECE with each image's bin
 * fixed by its probability, as the sum over bins of |sum of (p - y) in the bin| / n, which equals
 * the count-weighted |mean predicted - observed rate|. A masked label (NaN: an uncertain label
 * ignored, a finding an image's dataset lacks) is left out of its class, n counting its known
 * labels only.
 *
 * @param replicates bootstrap replicates drawn
 * @param seed the bootstrap's seed
 */
public record CalibrationEvaluation(List<ClassCalibration> perClass, int replicates, long seed) {

  public CalibrationEvaluation {
    perClass = List.copyOf(perClass);
  }

  /** The Brier score averaged over the classes (the headline number a run logs). */
  public double meanBrier() {
    return perClass.stream().mapToDouble(ClassCalibration::brier).average().orElse(Double.NaN);
  }

  /** The expected calibration error averaged over the classes. */
  public double meanEce() {
    return perClass.stream().mapToDouble(ClassCalibration::ece).average().orElse(Double.NaN);
  }

  /**
   * @throws IllegalArgumentException when the class names do not match the predictions, or a
   *     probability is outside [0, 1]
   */
  public static CalibrationEvaluation compute(
      List<String> classNames, PredictionSet set, int replicates, long seed) {
    if (replicates < 1) {
      throw new IllegalArgumentException(
          "bootstrap replicates must be positive, got " + replicates);
    }
    return compute(
        classNames, set, Resampling.seeded(seed, replicates, set.images()), replicates, seed);
  }

  /** With given replicates, e.g. the draws a reference implementation used. */
  static CalibrationEvaluation compute(
      List<String> classNames,
      PredictionSet set,
      Resampling resampling,
      int replicates,
      long seed) {
    int classes = set.classes();
    if (classNames.size() != classes) {
      throw new IllegalArgumentException(
          "expected " + classNames.size() + " classes " + classNames + ", got " + classes);
    }
    int images = set.images();
    float[] probabilities = set.probabilities();
    float[] labels = set.labels();
    // Per image and class, row-major: the error p - y and the bin, so a replicate is one pass.
    double[] errors = new double[probabilities.length];
    byte[] bins = new byte[probabilities.length];
    for (int k = 0; k < probabilities.length; k++) {
      // A masked label (NaN) has no error: left out of its class's score and denominator.
      errors[k] =
          Float.isNaN(labels[k])
              ? Double.NaN
              : probabilities[k] - (ReliabilityBins.isPositive(labels[k]) ? 1.0 : 0.0);
      bins[k] = (byte) ReliabilityBins.bin(probabilities[k]);
    }
    double[][] brier = new double[replicates][];
    double[][] ece = new double[replicates][];
    IntStream.range(0, replicates)
        .parallel()
        .forEach(
            r -> {
              int[] counts = resampling.counts(r);
              double[] squares = new double[classes];
              double[] known = new double[classes];
              double[] binErrors = new double[classes * ReliabilityBins.BINS];
              for (int i = 0; i < images; i++) {
                int weight = counts[i];
                if (weight == 0) {
                  continue;
                }
                int row = i * classes;
                for (int c = 0; c < classes; c++) {
                  double error = errors[row + c];
                  if (Double.isNaN(error)) {
                    continue;
                  }
                  known[c] += weight;
                  squares[c] += weight * error * error;
                  binErrors[c * ReliabilityBins.BINS + bins[row + c]] += weight * error;
                }
              }
              brier[r] = new double[classes];
              ece[r] = new double[classes];
              for (int c = 0; c < classes; c++) {
                // Without masked labels known[c] is the draw's size, exactly the image count.
                brier[r][c] = known[c] == 0 ? Double.NaN : squares[c] / known[c];
                double sum = 0;
                for (int b = 0; b < ReliabilityBins.BINS; b++) {
                  sum += Math.abs(binErrors[c * ReliabilityBins.BINS + b]);
                }
                ece[r][c] = known[c] == 0 ? Double.NaN : sum / known[c];
              }
            });
    boolean[] defined = new boolean[classes];
    for (int c = 0; c < classes; c++) {
      for (int i = 0; i < images && !defined[c]; i++) {
        defined[c] = !Double.isNaN(errors[i * classes + c]);
      }
    }
    BootstrapResult brierIntervals = Bootstrap.summarise(brier, defined);
    BootstrapResult eceIntervals = Bootstrap.summarise(ece, defined);

    List<ClassCalibration> perClass = new ArrayList<>(classes);
    for (int c = 0; c < classes; c++) {
      float[] scores = set.scores(c);
      float[] truth = set.truth(c);
      ReliabilityBins reliability = ReliabilityBins.of(scores, truth);
      double squares = 0;
      int positives = 0;
      int known = 0;
      for (int i = 0; i < images; i++) {
        double error = errors[i * classes + c];
        if (Double.isNaN(error)) {
          continue;
        }
        known++;
        squares += error * error;
        positives += ReliabilityBins.isPositive(truth[i]) ? 1 : 0;
      }
      perClass.add(
          new ClassCalibration(
              classNames.get(c),
              known,
              positives,
              known == 0 ? Double.NaN : squares / known,
              brierIntervals.perClass().get(c),
              reliability.ece(),
              eceIntervals.perClass().get(c),
              reliability));
    }
    return new CalibrationEvaluation(perClass, replicates, seed);
  }
}
