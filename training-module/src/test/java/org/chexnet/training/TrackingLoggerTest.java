package org.chexnet.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chexnet.tracking.LocalRunStore;
import org.chexnet.tracking.Run;
import org.chexnet.tracking.RunStatus;
import org.chexnet.training.listeners.TrackingLogger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrackingLoggerTest {
  private static TrainableModel model;

  @TempDir Path dir;

  @BeforeAll
  static void createModel() {
    model = TinyNets.model(14);
  }

  @AfterAll
  static void closeModel() {
    model.close();
  }

  /** "value step" of each line of the metric's history (the timestamp dropped). */
  static List<String> history(Run run, String key) throws Exception {
    Path file = run.directory().resolve("metrics").resolve(key);
    if (!Files.exists(file)) {
      return List.of();
    }
    return Files.readAllLines(file).stream()
        .map(
            line -> {
              String[] parts = line.split(" ");
              assertEquals(3, parts.length, line);
              assertTrue(Long.parseLong(parts[0]) > 1_600_000_000_000L, "timestamp in ms: " + line);
              return parts[1] + " " + parts[2];
            })
        .toList();
  }

  @Test
  void everyEpochMetricIsLoggedWithTheEpochAsStep() throws Exception {
    LocalRunStore store = new LocalRunStore(dir.resolve("mlruns"));
    try (Run run = store.startRun("chexnet", "tiny")) {
      assertEquals(store.root().resolve(run.experimentId()).resolve(run.id()), run.directory());
      TrackingLogger logger = new TrackingLogger(run, 0);
      ScriptedEpochs epochs = new ScriptedEpochs(model, 3);
      double[] valLoss = {0.75, 0.5, 0.25};
      double[] auroc = {0.5, Double.NaN, 0.625};
      for (int e = 0; e < 3; e++) {
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put(TrainingContext.LOSS, 1.0 - e * 0.125);
        logs.put(TrainingContext.VAL_LOSS, valLoss[e]);
        logs.put(TrainingContext.VAL_MEAN_AUROC, auroc[e]);
        epochs.epoch(logs, logger);
      }
      assertEquals(List.of("0.75 0", "0.5 1", "0.25 2"), history(run, TrainingContext.VAL_LOSS));
      assertEquals(List.of("1.0 0", "0.875 1", "0.75 2"), history(run, TrainingContext.LOSS));
      // A NaN (e.g. AUROC with no class defined) is not logged: MLflow's file store cannot hold it
      // usefully.
      assertEquals(List.of("0.5 0", "0.625 2"), history(run, TrainingContext.VAL_MEAN_AUROC));
      // Batch logging is off with interval 0.
      TrainingContext context = epochs.context();
      context.endBatch(0, Map.of(TrainingContext.LOSS, 0.5));
      logger.onBatchEnd(context);
      assertFalse(Files.exists(run.directory().resolve("metrics").resolve("batch_loss")));
      run.end(RunStatus.FINISHED);
    }
  }
}
