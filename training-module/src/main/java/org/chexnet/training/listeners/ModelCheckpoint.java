package org.chexnet.training.listeners;

import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalDouble;
import org.chexnet.training.TrainingContext;
import org.chexnet.training.TrainingListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keras' ModelCheckpoint: after each epoch, saves the model when the monitored metric improved
 * ({@code saveBestOnly}) or always. The best checkpoint lives in one directory, replaced
 * atomically; without {@code saveBestOnly} each epoch gets {@code epoch-NNN} (1-based, as Keras
 * formats {@code {epoch}}).
 *
 * <p>One rule is ours, not Keras': with {@code saveBestOnly}, an epoch whose logs lack the
 * monitored metric is saved (Keras skips it), so that a run always has a best checkpoint to
 * evaluate.
 */
public final class ModelCheckpoint implements TrainingListener {
  private static final Logger LOG = LoggerFactory.getLogger(ModelCheckpoint.class);

  private final Path directory;
  private final String monitor;
  private final MonitorMode mode;
  private final boolean saveBestOnly;
  private double best;
  private int bestEpoch = -1;

  public ModelCheckpoint(Path directory, String monitor, MonitorMode mode, boolean saveBestOnly) {
    this.directory = directory;
    this.monitor = monitor;
    this.mode = mode.resolve(monitor);
    this.saveBestOnly = saveBestOnly;
    this.best = this.mode.worst();
  }

  @Override
  public void onEpochEnd(TrainingContext context) throws Exception {
    if (!saveBestOnly) {
      context
          .model()
          .saveCheckpoint(directory.resolve(String.format("epoch-%03d", context.epoch() + 1)));
      return;
    }
    OptionalDouble current = context.epochMetric(monitor);
    if (current.isEmpty()) {
      LOG.warn(
          "Can save best model only with {} available, skipping the comparison and saving",
          monitor);
      save(context, Double.NaN);
    } else if (mode.improves(
        current.getAsDouble(), best, 0)) { // NaN never improves: a diverged epoch is not kept
      save(context, current.getAsDouble());
    }
  }

  private void save(TrainingContext context, double value) throws Exception {
    context.model().saveCheckpoint(bestDirectory());
    if (!Double.isNaN(value)) {
      best = value;
    }
    bestEpoch = context.epoch();
  }

  /** Where the best checkpoint is kept when {@code saveBestOnly}. */
  public Path bestDirectory() {
    return directory.resolve("best");
  }

  /** The 0-based epoch of the best checkpoint, or -1 if none was saved. */
  public int bestEpoch() {
    return bestEpoch;
  }

  public double bestValue() {
    return best;
  }

  public String monitor() {
    return monitor;
  }

  @Override
  public Map<String, String> state() {
    return Map.of("best", Double.toString(best), "best_epoch", Integer.toString(bestEpoch));
  }

  @Override
  public void restoreState(Map<String, String> state) {
    best = Double.parseDouble(state.get("best"));
    bestEpoch = Integer.parseInt(state.get("best_epoch"));
  }
}
