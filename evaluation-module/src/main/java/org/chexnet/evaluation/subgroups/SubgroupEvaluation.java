package org.chexnet.evaluation.subgroups;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;
import org.chexnet.evaluation.Bootstrap;
import org.chexnet.evaluation.BootstrapResult;
import org.chexnet.evaluation.Interval;
import org.chexnet.evaluation.OperatingPoint;
import org.chexnet.evaluation.PredictionSet;
import org.chexnet.evaluation.Resampling;
import org.chexnet.evaluation.SortedScores;

/**
 * Performance per subgroup of patients: per attribute (sex, age band, view, any metadata column),
 * per subgroup the image count, each finding's prevalence, AUROC with its 95% interval, the mean
 * AUROC with its interval, and sensitivity, specificity and false-negative rate at the run's
 * per-class thresholds; per finding the largest gap between subgroups in AUROC and in
 * false-negative rate, with its interval.
 *
 * <p>The bootstrap is stratified by subgroup: each replicate draws, within every subgroup of the
 * attribute, as many images as it holds, with replacement, and recomputes every subgroup's metrics
 * on its draw. Subgroup sizes stay those of the data, as in a study that sampled each group
 * separately; a subgroup's interval is the ordinary bootstrap of its own images. Subgroup g of an
 * attribute draws with {@link Resampling#seeded} from the g-th number of a {@link SplittableRandom}
 * seeded with the seed, so the result is the same for the same seed on any number of threads. The
 * gap compares the two subgroups that are highest and lowest on the full set, and its interval is
 * that same difference over the replicates where both are defined; it is flagged when the interval
 * excludes zero and both subgroups hold at least {@link SubgroupGap#MIN_CASES} positives (and, for
 * AUROC, negatives).
 *
 * @param attributes in the order asked for
 */
public record SubgroupEvaluation(
    List<String> classNames, List<AttributeSubgroups> attributes, int replicates, long seed) {

  static final String NO_POSITIVES = "no positive images in this subgroup";
  static final String NO_NEGATIVES = "no negative images in this subgroup";

  public SubgroupEvaluation {
    classNames = List.copyOf(classNames);
    attributes = List.copyOf(attributes);
  }

  /** Per class the threshold of its operating point; NaN for a class without one. */
  public static double[] thresholds(List<Optional<OperatingPoint>> operatingPoints) {
    return operatingPoints.stream()
        .mapToDouble(p -> p.map(OperatingPoint::threshold).orElse(Double.NaN))
        .toArray();
  }

  /**
   * @param metadata must describe every image of {@code set}
   * @param attributes "sex", "age", "view" or metadata column names (see {@link SubgroupAttribute})
   * @param thresholds per class, positive when the probability is at least the threshold; NaN for a
   *     class without one (no sensitivity, specificity or false-negative rate then)
   * @throws IllegalArgumentException on an image the metadata lacks, an unknown attribute, or a
   *     malformed value
   */
  public static SubgroupEvaluation compute(
      List<String> classNames,
      PredictionSet set,
      ImageMetadata metadata,
      List<String> attributes,
      double[] thresholds,
      int replicates,
      long seed) {
    return compute(classNames, set, metadata, attributes, thresholds, replicates, seed, null);
  }

  /**
   * @param fixedDraws per attribute and value, the replicates' draws as index arrays into the
   *     subgroup (e.g. the ones a reference implementation used); null to draw them from the seed
   */
  static SubgroupEvaluation compute(
      List<String> classNames,
      PredictionSet set,
      ImageMetadata metadata,
      List<String> attributes,
      double[] thresholds,
      int replicates,
      long seed,
      Map<String, Map<String, int[][]>> fixedDraws) {
    int classes = set.classes();
    if (classNames.size() != classes || thresholds.length != classes) {
      throw new IllegalArgumentException(
          "expected "
              + classes
              + " class names and thresholds, got "
              + classNames.size()
              + " and "
              + thresholds.length);
    }
    if (replicates < 1) {
      throw new IllegalArgumentException(
          "bootstrap replicates must be positive, got " + replicates);
    }
    int[] rows = metadataRows(set, metadata);
    List<AttributeSubgroups> results = new ArrayList<>();
    for (String name : attributes) {
      SubgroupAttribute attribute = SubgroupAttribute.resolve(name, metadata);
      Map<String, List<Integer>> members = new TreeMap<>(attribute.order());
      int withoutValue = 0;
      for (int i = 0; i < set.images(); i++) {
        Optional<String> value = attribute.valueOf(rows[i]);
        if (value.isPresent()) {
          members.computeIfAbsent(value.get(), v -> new ArrayList<>()).add(i);
        } else {
          withoutValue++;
        }
      }
      List<Group> groups = new ArrayList<>();
      SplittableRandom root = new SplittableRandom(seed);
      members.forEach(
          (value, images) ->
              groups.add(
                  new Group(
                      value,
                      images.stream().mapToInt(Integer::intValue).toArray(),
                      set,
                      thresholds,
                      fixedDraws == null
                          ? Resampling.seeded(root.nextLong(), replicates, images.size())
                          : Resampling.fixed(fixedDraws.get(name).get(value), images.size()))));
      results.add(evaluate(attribute, groups, withoutValue, classNames, thresholds, replicates));
    }
    return new SubgroupEvaluation(classNames, results, replicates, seed);
  }

  private static int[] metadataRows(PredictionSet set, ImageMetadata metadata) {
    int[] rows = new int[set.images()];
    int missing = 0;
    String firstMissing = null;
    for (int i = 0; i < rows.length; i++) {
      OptionalInt row = metadata.rowOf(set.imageIndexes().get(i));
      if (row.isEmpty()) {
        missing++;
        firstMissing = firstMissing == null ? set.imageIndexes().get(i) : firstMissing;
      } else {
        rows[i] = row.getAsInt();
      }
    }
    if (missing > 0) {
      throw new IllegalArgumentException(
          metadata.source()
              + ": no row (matched by "
              + metadata.idColumn()
              + ", its file name or its file name without extension; or more than one) for "
              + missing
              + " of the "
              + rows.length
              + " images, e.g. "
              + firstMissing);
    }
    return rows;
  }

  /** One subgroup's images, sorted scores per class, and its replicates. */
  private static final class Group {
    final String value;
    final int[] images;
    final float[][] scores;
    final float[][] labels;
    final SortedScores[] sorted;
    final Resampling resampling;

    /** Per class, the local indexes of the positives missed at the threshold (score below it). */
    final int[][] positives;

    /** Per class, the images whose label is known (not masked: NaN). */
    final int[] known;

    final boolean[][] missed;
    double[][] aurocs;
    double[][] falseNegativeRates;

    Group(
        String value, int[] images, PredictionSet set, double[] thresholds, Resampling resampling) {
      this.value = value;
      this.images = images;
      this.resampling = resampling;
      int classes = set.classes();
      scores = new float[classes][images.length];
      labels = new float[classes][images.length];
      sorted = new SortedScores[classes];
      positives = new int[classes][];
      known = new int[classes];
      missed = new boolean[classes][];
      float[] probabilities = set.probabilities();
      float[] truth = set.labels();
      for (int c = 0; c < classes; c++) {
        List<Integer> positive = new ArrayList<>();
        for (int k = 0; k < images.length; k++) {
          scores[c][k] = probabilities[images[k] * classes + c];
          labels[c][k] = truth[images[k] * classes + c];
          known[c] += Float.isNaN(labels[c][k]) ? 0 : 1;
          if (labels[c][k] >= 0.5f) {
            positive.add(k);
          }
        }
        sorted[c] = SortedScores.of(scores[c], labels[c]);
        positives[c] = positive.stream().mapToInt(Integer::intValue).toArray();
        missed[c] = new boolean[positives[c].length];
        for (int p = 0; p < positives[c].length; p++) {
          missed[c][p] = scores[c][positives[c][p]] < thresholds[c];
        }
      }
    }

    /** Replicate r's AUROC and false-negative rate per class into the given rows. */
    void replicate(int r, double[] thresholds) {
      int[] counts = resampling.counts(r);
      int classes = sorted.length;
      double[] auroc = new double[classes];
      double[] fnr = new double[classes];
      for (int c = 0; c < classes; c++) {
        auroc[c] = sorted[c].auroc(counts);
        long drawn = 0;
        long falseNegatives = 0;
        for (int p = 0; p < positives[c].length; p++) {
          int weight = counts[positives[c][p]];
          drawn += weight;
          falseNegatives += missed[c][p] ? weight : 0;
        }
        fnr[c] =
            Double.isNaN(thresholds[c]) || drawn == 0
                ? Double.NaN
                : (double) falseNegatives / drawn;
      }
      aurocs[r] = auroc;
      falseNegativeRates[r] = fnr;
    }
  }

  private static AttributeSubgroups evaluate(
      SubgroupAttribute attribute,
      List<Group> groups,
      int withoutValue,
      List<String> classNames,
      double[] thresholds,
      int replicates) {
    int classes = classNames.size();
    for (Group group : groups) {
      group.aurocs = new double[replicates][];
      group.falseNegativeRates = new double[replicates][];
    }
    IntStream.range(0, replicates * groups.size())
        .parallel()
        .forEach(
            task -> groups.get(task % groups.size()).replicate(task / groups.size(), thresholds));

    List<Subgroup> subgroups = new ArrayList<>();
    for (Group group : groups) {
      boolean[] aurocDefined = new boolean[classes];
      boolean[] fnrDefined = new boolean[classes];
      for (int c = 0; c < classes; c++) {
        aurocDefined[c] = group.sorted[c].defined();
        fnrDefined[c] = !Double.isNaN(thresholds[c]) && group.positives[c].length > 0;
      }
      BootstrapResult aurocIntervals = Bootstrap.summarise(group.aurocs, aurocDefined);
      BootstrapResult fnrIntervals = Bootstrap.summarise(group.falseNegativeRates, fnrDefined);
      List<SubgroupClass> perClass = new ArrayList<>();
      double sum = 0;
      int defined = 0;
      for (int c = 0; c < classes; c++) {
        int positives = group.positives[c].length;
        int negatives = group.known[c] - positives;
        String reason = positives == 0 ? NO_POSITIVES : negatives == 0 ? NO_NEGATIVES : null;
        double auroc = reason == null ? group.sorted[c].auroc() : Double.NaN;
        if (reason == null) {
          sum += auroc;
          defined++;
        }
        Optional<OperatingPoint> point =
            Double.isNaN(thresholds[c])
                ? Optional.empty()
                : Optional.of(
                    OperatingPoint.at(
                        classNames.get(c), thresholds[c], group.scores[c], group.labels[c]));
        perClass.add(
            new SubgroupClass(
                classNames.get(c),
                positives,
                group.known[c] == 0 ? 0 : (double) positives / group.known[c],
                auroc,
                aurocIntervals.perClass().get(c),
                reason,
                point,
                fnrIntervals.perClass().get(c)));
      }
      subgroups.add(
          new Subgroup(
              group.value,
              group.images.length,
              defined == 0 ? Double.NaN : sum / defined,
              aurocIntervals.mean(),
              perClass));
    }

    List<SubgroupGap> aurocGaps = new ArrayList<>();
    List<SubgroupGap> fnrGaps = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      int column = c;
      aurocGaps.add(
          gap(
              classNames.get(c),
              groups,
              subgroups,
              s -> s.perClass().get(column).auroc(),
              g -> g.aurocs,
              c,
              "AUROC",
              true));
      fnrGaps.add(
          gap(
              classNames.get(c),
              groups,
              subgroups,
              s -> s.perClass().get(column).falseNegativeRate(),
              g -> g.falseNegativeRates,
              c,
              "false-negative rate",
              false));
    }
    return new AttributeSubgroups(
        attribute.name(), attribute.source(), subgroups, withoutValue, aurocGaps, fnrGaps);
  }

  private static SubgroupGap gap(
      String className,
      List<Group> groups,
      List<Subgroup> subgroups,
      ToDoubleFunction<Subgroup> metric,
      Function<Group, double[][]> replicates,
      int c,
      String metricName,
      boolean needsNegatives) {
    // The first subgroup (in value order) with the highest value, the last with the lowest: two
    // different subgroups whenever at least two have the metric, even when all values are equal.
    int high = -1;
    int low = -1;
    int defined = 0;
    for (int g = 0; g < subgroups.size(); g++) {
      double value = metric.applyAsDouble(subgroups.get(g));
      if (Double.isNaN(value)) {
        continue;
      }
      defined++;
      if (high < 0 || value > metric.applyAsDouble(subgroups.get(high))) {
        high = g;
      }
      if (low < 0 || value <= metric.applyAsDouble(subgroups.get(low))) {
        low = g;
      }
    }
    if (defined < 2) {
      return new SubgroupGap(
          className,
          null,
          null,
          Double.NaN,
          Interval.UNDEFINED,
          "fewer than two subgroups with a defined " + metricName,
          null);
    }
    Subgroup lowest = subgroups.get(low);
    double[][] highReplicates = replicates.apply(groups.get(high));
    double[][] lowReplicates = replicates.apply(groups.get(low));
    double[] differences =
        IntStream.range(0, highReplicates.length)
            .mapToDouble(r -> highReplicates[r][c] - lowReplicates[r][c])
            .filter(d -> !Double.isNaN(d))
            .toArray();
    return new SubgroupGap(
        className,
        subgroups.get(high).value(),
        subgroups.get(low).value(),
        metric.applyAsDouble(subgroups.get(high)) - metric.applyAsDouble(subgroups.get(low)),
        Bootstrap.percentileInterval(differences),
        null,
        tooFewCases(subgroups.get(high), c, needsNegatives)
            .or(() -> tooFewCases(lowest, c, needsNegatives))
            .orElse(null));
  }

  /** Why {@code subgroup} is too small to flag a gap in class {@code c}, if it is. */
  private static Optional<String> tooFewCases(Subgroup subgroup, int c, boolean needsNegatives) {
    int positives = subgroup.perClass().get(c).positives();
    int negatives = subgroup.images() - positives;
    if (positives < SubgroupGap.MIN_CASES) {
      return Optional.of(subgroup.value() + " has " + positives + " positive images");
    }
    if (needsNegatives && negatives < SubgroupGap.MIN_CASES) {
      return Optional.of(subgroup.value() + " has " + negatives + " negative images");
    }
    return Optional.empty();
  }
}
