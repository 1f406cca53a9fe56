package org.chexnet.training.listeners;

import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalDouble;
import org.chexnet.training.TrainingContext;
import org.chexnet.training.TrainingListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keras' EarlyStopping: stops training when the monitored metric has not improved by {@code
 * minDelta} for {@code patience} epochs, counting from {@code startFromEpoch}.
 *
 * <p>As in Keras, the wait counter grows every epoch and resets on an improvement only when the
 * value also beats {@code baseline} (if one is set); stopping is checked after the first epoch.
 * With {@code restoreBestWeights} the best epoch's model is kept in {@code scratchDirectory} (from
 * the first epoch it sees on) and restored when training ends, whether it stopped early or ran all
 * its epochs, as tf-keras 2.18 does. The restore brings back the whole checkpoint: weights and
 * batch-norm statistics as Keras does, and also the optimizer state, which no longer matters once
 * training is over.
 */
public final class EarlyStopping implements TrainingListener {
  private static final Logger LOG = LoggerFactory.getLogger(EarlyStopping.class);

  private final String monitor;
  private final MonitorMode mode;
  private final double minDelta;
  private final int patience;
  private final Double baseline;
  private final boolean restoreBestWeights;
  private final int startFromEpoch;
  private final Path scratchDirectory;
  private double best;
  private int bestEpoch = -1;
  private int wait;
  private int stoppedEpoch = -1;
  private boolean haveBestWeights;

  /**
   * @param baseline a value the metric must beat to count as progress, or null
   * @param scratchDirectory where the best epoch's checkpoint is kept with {@code
   *     restoreBestWeights}
   */
  public EarlyStopping(
      String monitor,
      MonitorMode mode,
      double minDelta,
      int patience,
      Double baseline,
      boolean restoreBestWeights,
      int startFromEpoch,
      Path scratchDirectory) {
    this.monitor = monitor;
    this.mode = mode.resolve(monitor);
    this.minDelta = Math.abs(minDelta);
    this.patience = patience;
    this.baseline = baseline;
    this.restoreBestWeights = restoreBestWeights;
    this.startFromEpoch = startFromEpoch;
    this.scratchDirectory = scratchDirectory;
    this.best = this.mode.worst();
  }

  @Override
  public void onEpochEnd(TrainingContext context) throws Exception {
    OptionalDouble metric = context.epochMetric(monitor);
    int epoch = context.epoch();
    if (metric.isEmpty() || epoch < startFromEpoch) {
      if (metric.isEmpty()) {
        LOG.warn("Early stopping conditioned on metric {} which is not available", monitor);
      }
      return;
    }
    double current = metric.getAsDouble();
    if (restoreBestWeights && !haveBestWeights) {
      // Keras keeps the first epoch's weights when no epoch ever improves.
      saveBest(context);
      bestEpoch = epoch;
    }
    wait++;
    if (mode.improves(current, best, minDelta)) {
      best = current;
      bestEpoch = epoch;
      if (restoreBestWeights) {
        saveBest(context);
      }
      if (baseline == null || mode.improves(current, baseline, minDelta)) {
        wait = 0;
      }
      return;
    }
    if (wait >= patience && epoch > 0) {
      stoppedEpoch = epoch;
      context.requestStop(
          String.format(
              "early_stopping: %s did not improve by %s for %d epochs (best %.4g at epoch %d)",
              monitor, minDelta, wait, best, bestEpoch + 1));
    }
  }

  @Override
  public void onTrainEnd(TrainingContext context) throws Exception {
    if (restoreBestWeights && haveBestWeights) {
      LOG.info("Restoring model weights from the end of the best epoch: {}", bestEpoch + 1);
      context.model().restoreCheckpoint(scratchDirectory);
    }
  }

  private void saveBest(TrainingContext context) throws Exception {
    context.model().saveCheckpoint(scratchDirectory);
    haveBestWeights = true;
  }

  /** The 0-based epoch training stopped at, or -1 if it did not stop early. */
  public int stoppedEpoch() {
    return stoppedEpoch;
  }

  /** The 0-based epoch with the best value, or -1 if none was seen. */
  public int bestEpoch() {
    return bestEpoch;
  }

  @Override
  public Map<String, String> state() {
    return Map.of(
        "best", Double.toString(best),
        "best_epoch", Integer.toString(bestEpoch),
        "wait", Integer.toString(wait),
        "stopped_epoch", Integer.toString(stoppedEpoch),
        "have_best_weights", Boolean.toString(haveBestWeights));
  }

  @Override
  public void restoreState(Map<String, String> state) {
    best = Double.parseDouble(state.get("best"));
    bestEpoch = Integer.parseInt(state.get("best_epoch"));
    wait = Integer.parseInt(state.get("wait"));
    stoppedEpoch = Integer.parseInt(state.get("stopped_epoch"));
    haveBestWeights = Boolean.parseBoolean(state.get("have_best_weights"));
  }
}
