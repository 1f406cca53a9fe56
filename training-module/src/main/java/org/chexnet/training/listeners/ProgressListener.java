package org.chexnet.training.listeners;

import java.util.Locale;
import java.util.Map;
import org.chexnet.common.Reporter;
import org.chexnet.training.TrainingContext;
import org.chexnet.training.TrainingListener;

/** Progress per epoch (running loss, images/s, ETA) and a one-line summary after it. */
public final class ProgressListener implements TrainingListener {
  private final int batchSize;
  private final long imagesPerEpoch;
  private final Reporter reporter;
  private Reporter.Task task;
  private double lossSum;
  private int batches;
  private long epochStart;

  public ProgressListener(int batchSize, long imagesPerEpoch, Reporter reporter) {
    this.batchSize = batchSize;
    this.imagesPerEpoch = imagesPerEpoch;
    this.reporter = reporter;
  }

  @Override
  public void onEpochBegin(TrainingContext context) {
    task =
        reporter.task(
            String.format("Epoch %d/%d", context.epoch() + 1, context.epochs()),
            imagesPerEpoch,
            Reporter.Unit.IMAGES);
    lossSum = 0;
    batches = 0;
    epochStart = System.nanoTime();
  }

  @Override
  public void onBatchEnd(TrainingContext context) {
    lossSum += context.batchLogs().get(TrainingContext.LOSS);
    batches++;
    task.stepTo(Math.min(imagesPerEpoch, (long) batches * batchSize));
    task.message(String.format(Locale.ROOT, "loss %.4f", lossSum / batches));
  }

  @Override
  public void onEpochEnd(TrainingContext context) {
    task.stepTo(imagesPerEpoch);
    task.close();
    double seconds = (System.nanoTime() - epochStart) / 1e9;
    StringBuilder line =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "Epoch %d/%d (%.1f s):",
                context.epoch() + 1,
                context.epochs(),
                seconds));
    for (Map.Entry<String, Double> e : context.epochLogs().entrySet()) {
      line.append(String.format(Locale.ROOT, " %s %.4g", e.getKey(), e.getValue()));
    }
    reporter.info(line.toString());
  }
}
