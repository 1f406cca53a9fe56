package org.chexnet.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.chexnet.training.TrainingContext;
import org.chexnet.training.TrainingListener;

/**
 * A user callback (spec {@code type: custom}) that, only in a process started with {@link #ENV}
 * naming a file, writes that file at the given epoch and batch and then hangs, so that a test can
 * kill the process at a known point. Elsewhere it does nothing.
 */
public final class PauseAtBatch implements TrainingListener {
  static final String ENV = "CHEXNET_TEST_PAUSED_FILE";

  private final int epoch;
  private final int batch;

  public PauseAtBatch(Map<String, Object> params) {
    this.epoch = ((Number) params.get("epoch")).intValue();
    this.batch = ((Number) params.get("batch")).intValue();
  }

  @Override
  public void onBatchEnd(TrainingContext context) {
    String marker = System.getenv(ENV);
    if (marker == null || context.epoch() != epoch || context.batch() != batch) {
      return;
    }
    try {
      Files.writeString(Path.of(marker), "step " + context.globalStep());
      Thread.sleep(600_000);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
