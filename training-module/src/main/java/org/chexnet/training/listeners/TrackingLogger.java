package org.chexnet.training.listeners;

import java.util.Map;
import org.chexnet.tracking.Run;
import org.chexnet.training.TrainingContext;
import org.chexnet.training.TrainingListener;

/**
 * The seed's DagsHubLogger: every epoch's metrics go to the tracked run with the epoch as step, and
 * the batch loss every {@code batchInterval} optimizer steps (0: never).
 */
public final class TrackingLogger implements TrainingListener {
  private final Run run;
  private final int batchInterval;

  public TrackingLogger(Run run, int batchInterval) {
    this.run = run;
    this.batchInterval = batchInterval;
  }

  @Override
  public void onBatchEnd(TrainingContext context) throws Exception {
    if (batchInterval > 0) {
      long step = context.globalStep();
      if (step % batchInterval == 0) {
        run.logMetric("batch_loss", context.batchLogs().get(TrainingContext.LOSS), step);
      }
    }
  }

  @Override
  public void onEpochEnd(TrainingContext context) throws Exception {
    for (Map.Entry<String, Double> e : context.epochLogs().entrySet()) {
      if (Double.isFinite(e.getValue())) {
        run.logMetric(e.getKey(), e.getValue(), context.epoch());
      }
    }
  }
}
