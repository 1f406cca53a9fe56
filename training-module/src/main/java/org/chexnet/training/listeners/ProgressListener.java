package org.chexnet.training.listeners;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.chexnet.training.ProgressBars;
import org.chexnet.training.TrainingContext;
import org.chexnet.training.TrainingListener;

/** A progress bar per epoch (running loss, images/s, ETA) and a one-line summary after it. */
public final class ProgressListener implements TrainingListener {
  private final int batchSize;
  private final long imagesPerEpoch;
  private final PrintStream out;
  private ProgressBar bar;
  private double lossSum;
  private int batches;
  private long epochStart;

  public ProgressListener(int batchSize, long imagesPerEpoch, PrintStream out) {
    this.batchSize = batchSize;
    this.imagesPerEpoch = imagesPerEpoch;
    this.out = out;
  }

  @Override
  public void onEpochBegin(TrainingContext context) {
    bar =
        ProgressBars.images(
            String.format("Epoch %d/%d", context.epoch() + 1, context.epochs()), imagesPerEpoch);
    lossSum = 0;
    batches = 0;
    epochStart = System.nanoTime();
  }

  @Override
  public void onBatchEnd(TrainingContext context) {
    lossSum += context.batchLogs().get(TrainingContext.LOSS);
    batches++;
    bar.stepTo(Math.min(imagesPerEpoch, (long) batches * batchSize));
    bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f", lossSum / batches));
  }

  @Override
  public void onEpochEnd(TrainingContext context) {
    bar.stepTo(imagesPerEpoch);
    bar.close();
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
    out.println(line);
  }
}
