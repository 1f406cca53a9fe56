package org.chexnet.evaluation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Bootstrap over images: each replicate draws as many images as the set holds, with replacement,
 * and recomputes every class's AUROC on the draw. Intervals are the 2.5th and 97.5th percentiles
 * (numpy's default, linear interpolation) of the replicates. The same seed gives the same
 * intervals, whatever the number of threads.
 */
public final class Bootstrap {

  public static final int DEFAULT_REPLICATES = 1000;

  private Bootstrap() {}

  /** 95% intervals of each class's AUROC and of the mean AUROC. */
  public static BootstrapResult aurocs(PredictionSet set, int replicates, long seed) {
    return run(set, null, Resampling.seeded(seed, checked(replicates), set.images()), replicates);
  }

  /**
   * Paired bootstrap of A minus B: both models are scored on the same draws, so the interval
   * reflects only how their rankings differ, not which images happened to be drawn.
   *
   * @param b the same images in the same order with the same labels (see {@link
   *     PredictionSet#alignedTo})
   */
  public static BootstrapResult difference(
      PredictionSet a, PredictionSet b, int replicates, long seed) {
    return run(a, b, Resampling.seeded(seed, checked(replicates), a.images()), replicates);
  }

  /**
   * @param b null for the AUROCs of {@code a} alone
   */
  static BootstrapResult run(
      PredictionSet a, PredictionSet b, Resampling resampling, int replicates) {
    if (b != null
        && (!a.imageIndexes().equals(b.imageIndexes()) || !Arrays.equals(a.labels(), b.labels()))) {
      throw new IllegalArgumentException(
          "a paired bootstrap needs the same images in the same order with the same labels");
    }
    int classes = a.classes();
    SortedScores[] sortedA = sortAll(a);
    SortedScores[] sortedB = b == null ? null : sortAll(b);
    // values[r][c]: replicate r's AUROC (or difference) for class c, NaN when undefined.
    double[][] values = new double[replicates][];
    IntStream.range(0, replicates)
        .parallel()
        .forEach(
            r -> {
              int[] counts = resampling.counts(r);
              double[] row = new double[classes];
              for (int c = 0; c < classes; c++) {
                row[c] = sortedA[c].auroc(counts) - (b == null ? 0 : sortedB[c].auroc(counts));
              }
              values[r] = row;
            });

    boolean[] defined = new boolean[classes];
    for (int c = 0; c < classes; c++) {
      defined[c] = sortedA[c].defined();
    }
    return summarise(values, defined);
  }

  /**
   * Percentile intervals of replicate values, the way {@link #aurocs} reports them: per class the
   * replicates where the value is defined (not NaN), and for the mean the replicates where every
   * class defined on the full set is defined.
   *
   * @param values values[r][c], replicate r's value for class c, NaN when undefined in replicate r
   * @param defined per class, whether the value is defined on the full set (an undefined class gets
   *     an undefined interval and is left out of the mean)
   */
  public static BootstrapResult summarise(double[][] values, boolean[] defined) {
    int classes = defined.length;
    List<Interval> perClass = new ArrayList<>(classes);
    List<Integer> used = new ArrayList<>(classes);
    for (int c = 0; c < classes; c++) {
      int column = c;
      double[] kept =
          defined[c]
              ? Arrays.stream(values)
                  .mapToDouble(row -> row[column])
                  .filter(v -> !Double.isNaN(v))
                  .toArray()
              : new double[0];
      perClass.add(percentileInterval(kept));
      used.add(kept.length);
    }
    int[] definedClasses = IntStream.range(0, classes).filter(c -> defined[c]).toArray();
    double[] means =
        definedClasses.length == 0
            ? new double[0]
            : Arrays.stream(values)
                .mapToDouble(row -> meanOver(row, definedClasses))
                .filter(v -> !Double.isNaN(v))
                .toArray();
    return new BootstrapResult(
        values.length, perClass, used, percentileInterval(means), means.length);
  }

  /**
   * numpy.percentile(values, [2.5, 97.5]) with its default linear interpolation; undefined when
   * {@code values} is empty.
   */
  public static Interval percentileInterval(double[] values) {
    if (values.length == 0) {
      return Interval.UNDEFINED;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return new Interval(percentile(sorted, 2.5 / 100), percentile(sorted, 97.5 / 100));
  }

  /** numpy's linear method, including its rounding-symmetric interpolation (_lerp). */
  private static double percentile(double[] sorted, double quantile) {
    double index = (sorted.length - 1) * quantile;
    int below = (int) Math.floor(index);
    if (below >= sorted.length - 1) {
      return sorted[sorted.length - 1];
    }
    double gamma = index - below;
    double a = sorted[below];
    double b = sorted[below + 1];
    double difference = b - a;
    return gamma >= 0.5 ? b - difference * (1 - gamma) : a + difference * gamma;
  }

  private static double meanOver(double[] row, int[] classes) {
    double sum = 0;
    for (int c : classes) {
      sum += row[c];
    }
    // NaN (a class without positives in this draw) propagates, dropping the replicate.
    return sum / classes.length;
  }

  private static SortedScores[] sortAll(PredictionSet set) {
    return IntStream.range(0, set.classes())
        .mapToObj(c -> SortedScores.of(set.scores(c), set.truth(c)))
        .toArray(SortedScores[]::new);
  }

  private static int checked(int replicates) {
    if (replicates < 1) {
      throw new IllegalArgumentException(
          "bootstrap replicates must be positive, got " + replicates);
    }
    return replicates;
  }
}
