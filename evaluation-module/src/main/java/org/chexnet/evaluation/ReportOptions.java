package org.chexnet.evaluation;

import java.util.Optional;

/**
 * What {@link EvaluationReport#writeAll} computes beyond the AUROCs.
 *
 * @param bootstrapReplicates bootstrap replicates over images for the 95% intervals
 * @param seed the bootstrap's seed: the same seed gives the same intervals
 * @param thresholdRule how operating points are chosen on validation predictions
 * @param referenceSource a column of {@link ReferenceResults} to report ours minus, e.g. {@link
 *     ReferenceResults#PAPER}
 * @param baseline another model's predictions on the same images, for a paired comparison
 */
public record ReportOptions(
    int bootstrapReplicates,
    long seed,
    ThresholdRule thresholdRule,
    Optional<String> referenceSource,
    Optional<Baseline> baseline) {

  public static final long DEFAULT_SEED = 42;

  /** Another model's predictions, named for the report (e.g. its file name). */
  public record Baseline(String name, PredictionSet predictions) {}

  public ReportOptions {
    if (bootstrapReplicates < 1) {
      throw new IllegalArgumentException(
          "bootstrap replicates must be positive, got " + bootstrapReplicates);
    }
  }

  /** 1000 replicates, seed 42, Youden's J, ours minus the CheXNet paper, no baseline. */
  public static ReportOptions defaults() {
    return new ReportOptions(
        Bootstrap.DEFAULT_REPLICATES,
        DEFAULT_SEED,
        ThresholdRule.youden(),
        Optional.of(ReferenceResults.PAPER),
        Optional.empty());
  }

  public ReportOptions withBootstrap(int replicates, long bootstrapSeed) {
    return new ReportOptions(replicates, bootstrapSeed, thresholdRule, referenceSource, baseline);
  }

  public ReportOptions withThresholdRule(ThresholdRule rule) {
    return new ReportOptions(bootstrapReplicates, seed, rule, referenceSource, baseline);
  }

  public ReportOptions withReference(Optional<String> source) {
    return new ReportOptions(bootstrapReplicates, seed, thresholdRule, source, baseline);
  }

  public ReportOptions withBaseline(Optional<Baseline> other) {
    return new ReportOptions(bootstrapReplicates, seed, thresholdRule, referenceSource, other);
  }
}
