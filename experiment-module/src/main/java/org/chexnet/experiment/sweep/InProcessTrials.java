package org.chexnet.experiment.sweep;

import java.nio.file.Path;
import java.util.List;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.Reporter;
import org.chexnet.experiment.run.ExperimentRunner;
import org.chexnet.experiment.spec.SpecLoader;
import org.chexnet.tracking.Run;

/**
 * A sweep's trials one after the other in this JVM: no processes to start, so the simplest from a
 * Java program or a pod. The median stopping rule needs trials that run side by side, so it does
 * not apply here.
 */
public final class InProcessTrials implements TrialExecutor {
  private final Reporter reporter;
  private final Path workDir;

  /**
   * @param workDir where the base spec's relative paths (data, tracking) start
   */
  public InProcessTrials(Reporter reporter, Path workDir) {
    this.reporter = reporter;
    this.workDir = workDir;
  }

  @Override
  public void execute(
      Sweep.Plan plan, Run parent, List<PendingTrial> pending, Reporter.Task progress)
      throws Exception {
    ExperimentRunner runner = new ExperimentRunner(reporter, workDir);
    for (PendingTrial p : pending) {
      Trial trial = p.trial();
      reporter.info(
          String.format(
              "%s trial %d %s",
              p.previous() != null ? "Resuming" : "Starting", trial.index(), trial.values()));
      try {
        if (p.previous() != null) {
          runner.resume(plan.store(), p.previous().id());
        } else {
          runner.run(
              SpecLoader.load(plan.baseFile(), plan.trialOverrides(trial)),
              plan.trialTags(trial, parent.id()));
        }
      } catch (ChexnetException e) {
        // Recorded FAILED in its run; the summary lists it and the next sweep run resumes it.
        reporter.warn("Trial " + trial.index() + " failed: " + e.getMessage());
      }
      progress.step();
    }
  }
}
