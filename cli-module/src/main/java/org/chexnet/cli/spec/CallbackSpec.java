package org.chexnet.cli.spec;

/**
 * A training callback chosen in the spec by its {@code type}; parameters and defaults are Keras'.
 */
public sealed interface CallbackSpec {
  enum Mode {
    AUTO,
    MIN,
    MAX
  }

  /** A progress bar per epoch with loss, rate and ETA. */
  @SpecName("progress")
  record Progress() implements CallbackSpec {}

  /** Keeps the best model by {@code monitor}; the run is evaluated with it. */
  @SpecName("model_checkpoint")
  record ModelCheckpoint(
      @Default("val_loss") String monitor,
      @Default("auto") Mode mode,
      @Default("true") boolean saveBestOnly)
      implements CallbackSpec {}

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
      implements CallbackSpec {}

  /** Per-epoch metrics as CSV in the run's artifacts. */
  @SpecName("csv_logger")
  record CsvLogger(
      @Default("history.csv") String filename,
      @Default("\",\"") String separator,
      @Default("false") boolean append)
      implements CallbackSpec {}
}
