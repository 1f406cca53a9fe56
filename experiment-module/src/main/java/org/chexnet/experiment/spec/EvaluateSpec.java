package org.chexnet.experiment.spec;

import java.util.HashSet;
import java.util.List;

/**
 * How the final model is scored: which split, the inference batch size, the bootstrap behind the
 * 95% intervals, the rule that picks each class's operating threshold on validation, the post-hoc
 * calibration fitted on validation and the attributes subgroups are compared by.
 *
 * @param bootstrap replicates over images for the confidence intervals, and their seed
 * @param threshold how each class's decision threshold is chosen on the validation predictions
 *     (then measured on the evaluated split)
 * @param calibration the post-hoc calibration fitted per class on the validation predictions,
 *     reported before and after on test and stored with the model ({@code calibration.json});
 *     {@code none} for none. With {@code split: validation} nothing is fitted (it would be measured
 *     on the images it was fitted on).
 * @param subgroups attributes of the dataset's metadata to report performance per subgroup by:
 *     {@code sex}, {@code age} (in bands), {@code view}, or any column of the metadata by name; an
 *     empty list for none
 */
public record EvaluateSpec(
    @Default("test") Split split,
    @Default("64") @Min(1) int batchSize,
    BootstrapSpec bootstrap,
    @Default("{type: youden}") ThresholdSpec threshold,
    @Default("platt") Calibration calibration,
    @Default("[sex, age, view]") List<String> subgroups) {

  public EvaluateSpec {
    if (new HashSet<>(subgroups).size() != subgroups.size()) {
      throw new InvalidValue("subgroups", "must not repeat an attribute, got " + subgroups);
    }
  }

  public enum Split {
    TEST,
    VALIDATION
  }

  /** The evaluation module's calibration methods, or none. */
  public enum Calibration {
    PLATT,
    ISOTONIC,
    NONE
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
