package org.chexnet.experiment.sweep;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A sweep as its parent run records it.
 *
 * @param parentRunId the parent run; its trials are its children
 * @param parentDirectory the parent run's directory (its artifacts hold the summary)
 * @param trials every trial in index order, started or not
 * @param best the finished trial with the best objective; empty when none finished
 * @param complete whether every trial ended (finished or stopped early) and the parent FINISHED
 */
public record SweepResult(
    String parentRunId,
    Path parentDirectory,
    List<TrialResult> trials,
    Optional<TrialResult> best,
    boolean complete) {

  /**
   * @param status FINISHED, FAILED, RUNNING, STOPPED EARLY (median rule) or NOT STARTED
   * @param runId null for a trial that never started
   * @param objective the best value of the sweep's objective over the trial's epochs; NaN if none
   * @param testMeanAuroc null until the trial's run is evaluated
   */
  public record TrialResult(
      int index,
      Map<String, Object> values,
      String status,
      String runId,
      double objective,
      Double testMeanAuroc) {}

  public SweepResult {
    trials = List.copyOf(trials);
  }

  /** The best trial's resolved spec, written into the parent run; empty when none finished. */
  public Optional<Path> bestSpec() {
    return best.map(b -> parentDirectory.resolve("artifacts").resolve(SweepSummary.BEST_SPEC));
  }
}
