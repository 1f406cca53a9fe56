package org.chexnet.experiment.spec;

import java.nio.file.Path;
import java.util.Map;
import org.chexnet.common.Reporter;
import org.chexnet.tracking.Run;
import org.chexnet.training.TrainingListener;
import org.chexnet.training.listeners.MonitorMode;
import org.chexnet.training.listeners.ProgressListener;
import org.chexnet.training.listeners.TrackingLogger;
import org.chexnet.training.listeners.UserListeners;

/**
 * A training callback chosen in the spec by its {@code type}; parameters and defaults are Keras'.
 * Each record builds its own listener. The permitted records are the one list of built-in
 * callbacks: the binder reads their {@code type} names from it, and a new callback is its listener
 * plus a record here.
 */
public sealed interface CallbackSpec {
  enum Mode {
    AUTO,
    MIN,
    MAX;

    MonitorMode monitorMode() {
      return MonitorMode.valueOf(name());
    }
  }

  /** What a callback's listener may use of its run. */
  record Context(Run run, int batchSize, int trainImages, Reporter reporter) {
    /** The run's artifacts directory, where callbacks write their files. */
    public Path artifacts() {
      return run.artifactsDir();
    }
  }

  /** The listener this callback is in the training loop. */
  TrainingListener listener(Context context);

  /** A progress bar per epoch with loss, rate and ETA. */
  @SpecName("progress")
  record Progress() implements CallbackSpec {
    @Override
    public TrainingListener listener(Context context) {
      return new ProgressListener(context.batchSize(), context.trainImages(), context.reporter());
    }
  }

  /** Keeps the best model by {@code monitor}; the run is evaluated with it. */
  @SpecName("model_checkpoint")
  record ModelCheckpoint(
      @Default("val_loss") String monitor,
      @Default("auto") Mode mode,
      @Default("true") boolean saveBestOnly)
      implements CallbackSpec {
    @Override
    public TrainingListener listener(Context context) {
      return new org.chexnet.training.listeners.ModelCheckpoint(
          context.artifacts().resolve("checkpoints"), monitor, mode.monitorMode(), saveBestOnly);
    }
  }

  /** Multiplies the learning rate by {@code factor} when {@code monitor} stops improving. */
  @SpecName("reduce_lr_on_plateau")
  record ReduceLrOnPlateau(
      @Default("val_loss") String monitor,
      @Default("auto") Mode mode,
      @Default("0.1") @Range(min = 0, max = 1) double factor,
      @Default("10") @Min(0) int patience,
      @Default("1e-4") @Range(min = 0, minInclusive = true) double minDelta,
      @Default("0") @Min(0) int cooldown,
      @Default("0") @Range(min = 0, minInclusive = true) double minLr)
      implements CallbackSpec {
    @Override
    public TrainingListener listener(Context context) {
      return new org.chexnet.training.listeners.ReduceLrOnPlateau(
          monitor, mode.monitorMode(), factor, patience, minDelta, cooldown, minLr);
    }
  }

  /** Per-epoch metrics as CSV in the run's artifacts. */
  @SpecName("csv_logger")
  record CsvLogger(
      @Default("history.csv") String filename,
      @Default("\",\"") String separator,
      @Default("false") boolean append)
      implements CallbackSpec {
    @Override
    public TrainingListener listener(Context context) {
      return new org.chexnet.training.listeners.CsvLogger(
          context.artifacts().resolve(filename), separator, append);
    }
  }

  /**
   * Stops when {@code monitor} has not improved for {@code patience} epochs; optionally restores
   * the best epoch's weights.
   */
  @SpecName("early_stopping")
  record EarlyStopping(
      @Default("val_loss") String monitor,
      @Default("auto") Mode mode,
      @Default("0") @Range(min = 0, minInclusive = true) double minDelta,
      @Default("0") @Min(0) int patience,
      @Default("null") Double baseline,
      @Default("false") boolean restoreBestWeights,
      @Default("0") @Min(0) int startFromEpoch)
      implements CallbackSpec {
    @Override
    public TrainingListener listener(Context context) {
      return new org.chexnet.training.listeners.EarlyStopping(
          monitor,
          mode.monitorMode(),
          minDelta,
          patience,
          baseline,
          restoreBestWeights,
          startFromEpoch,
          context.artifacts().resolve("checkpoints/early-stopping-best"));
    }
  }

  /**
   * The seed's DagsHubLogger: every epoch's metrics to the run (MLflow), and the batch loss every
   * {@code log_every_n_batches} optimizer steps (0: epochs only).
   */
  @SpecName("mlflow_logger")
  record MlflowLogger(@Default("0") @Min(0) int logEveryNBatches) implements CallbackSpec {
    @Override
    public TrainingListener listener(Context context) {
      return new TrackingLogger(context.run(), logEveryNBatches);
    }
  }

  /**
   * A user's own {@code org.chexnet.training.TrainingListener}, constructed with {@code params}.
   */
  @SpecName("custom")
  record Custom(String className, @Default("{}") Map<String, Object> params)
      implements CallbackSpec {
    public Custom {
      try {
        UserListeners.resolve(className);
      } catch (IllegalArgumentException e) {
        throw new InvalidValue("class_name", "names a " + e.getMessage());
      }
    }

    @Override
    public TrainingListener listener(Context context) {
      return UserListeners.create(className, params);
    }
  }
}
