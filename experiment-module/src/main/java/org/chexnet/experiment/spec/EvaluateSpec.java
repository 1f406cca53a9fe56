package org.chexnet.experiment.spec;

/**
 * How the final model is scored: which split, the inference batch size, the bootstrap behind the
 * 95% intervals and the rule that picks each class's operating threshold on validation.
 *
 * @param bootstrap replicates over images for the confidence intervals, and their seed
 * @param threshold how each class's decision threshold is chosen on the validation predictions
 *     (then measured on the evaluated split)
 */
public record EvaluateSpec(
    @Default("test") Split split,
    @Default("64") @Min(1) int batchSize,
    BootstrapSpec bootstrap,
    @Default("{type: youden}") ThresholdSpec threshold) {

  public enum Split {
    TEST,
    VALIDATION
  }

  /**
   * @param seed null: the experiment's seed
   */
  public record BootstrapSpec(
      @Default("1000") @Min(1) int replicates, @Default("null") Long seed) {}

  /** The rule that turns a class's validation ROC curve into one threshold. */
  public sealed interface ThresholdSpec {

    /** The threshold maximising Youden's J = sensitivity + specificity - 1. */
    @SpecName("youden")
    record Youden() implements ThresholdSpec {}

    /** The highest threshold whose validation sensitivity reaches {@code target}. */
    @SpecName("sensitivity")
    record Sensitivity(@Default("0.9") @Range(min = 0, max = 1, maxInclusive = true) double target)
        implements ThresholdSpec {}
  }
}
