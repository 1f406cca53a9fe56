package org.chexnet.experiment.sweep;

import java.util.List;
import org.chexnet.common.Reporter;
import org.chexnet.tracking.Run;
import org.chexnet.tracking.RunRecord;

/**
 * Where a sweep's trials run: {@link InProcessTrials} (one after the other in this JVM), {@link
 * ChildProcessTrials} (several at a time, each its own process), {@link KubernetesTrials} (as the
 * pods of an Indexed Job, handed off to the cluster).
 */
public interface TrialExecutor {

  /**
   * A trial still to run: {@code previous} is the run an earlier sweep started for it (resumed from
   * its backup), null when there is none.
   */
  record PendingTrial(Trial trial, RunRecord previous) {}

  /**
   * Runs the pending trials as children of {@code parent} (each with {@link Sweep.Plan#trialTags}
   * and {@link Sweep.Plan#trialOverrides}) and returns when they ended; a trial that fails is
   * recorded FAILED and the others go on.
   *
   * @param progress one step per ended trial
   */
  void execute(Sweep.Plan plan, Run parent, List<PendingTrial> pending, Reporter.Task progress)
      throws Exception;

  /**
   * Whether the trials have ended when {@link #execute} returns, so the sweep can be summarised;
   * false when they were handed off to run elsewhere.
   */
  default boolean waitsForTrials() {
    return true;
  }
}
